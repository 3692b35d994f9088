//! Fabricks glue (generated): serves the app's axum `Router` through
//! `wasi:http/incoming-handler@0.2` (WASI HTTP, the proxy world).
//!
//! Per request: the incoming-request becomes an `http::Request<axum::body::Body>` whose body
//! streams from the host (wstd); the Router, built once per instance by `${app}`
//! (re-exported by the generated `app_fn.rs` as `make_app`), is
//! called as a tower `Service`; the response's headers (repeated ones included) go out as
//! wasi:http fields, then its body frames are written to the outgoing-body stream as they
//! come, and trailers finish it. A panic answers 500 if the response has not started; the
//! host then drops the instance and serves the next request with a fresh one.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;

use http_body_util::BodyExt;
use tower_service::Service;
use wasip2::exports::http::incoming_handler::Guest;
use wasip2::http::types::{Fields, IncomingRequest, OutgoingBody, OutgoingResponse, ResponseOutparam};
use wstd::io::{AsyncOutputStream, AsyncWrite};

mod app_fn;

type BoxedRouter = Pin<Box<dyn Future<Output = axum::Router>>>;

thread_local! {
    static ROUTER: RefCell<Option<axum::Router>> = const { RefCell::new(None) };
    // The response-outparam until the response is handed to the host; the panic hook answers
    // 500 through it.
    static PENDING: RefCell<Option<ResponseOutparam>> = const { RefCell::new(None) };
}

// `app` may be a `fn() -> Router` or an `async fn() -> Router`: two traits, of which only one
// applies to the returned value.
struct App<T>(T);
trait FromRouter {
    fn boxed(self) -> BoxedRouter;
}
impl FromRouter for App<axum::Router> {
    fn boxed(self) -> BoxedRouter {
        Box::pin(std::future::ready(self.0))
    }
}
trait FromFuture {
    fn boxed(self) -> BoxedRouter;
}
impl<F: Future<Output = axum::Router> + 'static> FromFuture for App<F> {
    fn boxed(self) -> BoxedRouter {
        Box::pin(self.0)
    }
}

async fn router() -> axum::Router {
    if let Some(router) = ROUTER.with(|r| r.borrow().clone()) {
        return router;
    }
    let router = App(app_fn::make_app()).boxed().await;
    ROUTER.with(|r| *r.borrow_mut() = Some(router.clone()));
    router
}

struct Component;

impl Guest for Component {
    fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
        static HOOK: std::sync::Once = std::sync::Once::new();
        HOOK.call_once(|| std::panic::set_hook(Box::new(on_panic)));
        PENDING.with(|p| *p.borrow_mut() = Some(response_out));
        wstd::runtime::block_on(async {
            let mut head = false;
            let response = match wstd::http::request::try_from_incoming(request) {
                Ok(request) => {
                    head = request.method() == axum::http::Method::HEAD;
                    let request = request.map(|body| axum::body::Body::new(body.into_boxed_body()));
                    let mut service = router().await;
                    match service.call(request).await {
                        Ok(response) => response,
                        Err(never) => match never {},
                    }
                }
                Err(error) => {
                    eprintln!("fabricks: rejected a request the host passed on: {error:#}");
                    plain(400, "Bad Request")
                }
            };
            respond(response, head).await;
        });
    }
}

fn plain(status: u16, text: &'static str) -> axum::response::Response {
    let mut response = axum::response::Response::new(axum::body::Body::from(text));
    *response.status_mut() = axum::http::StatusCode::from_u16(status).expect("a valid status");
    response.headers_mut().insert("content-type", axum::http::HeaderValue::from_static("text/plain; charset=utf-8"));
    response.headers_mut().insert("content-length", axum::http::HeaderValue::from(text.len()));
    response
}

fn to_fields(headers: &axum::http::HeaderMap) -> Fields {
    let fields = Fields::new();
    for (name, value) in headers {
        // The host refuses names it forbids (e.g. connection, keep-alive): drop those, as
        // hyper does for HTTP/2, and keep the rest.
        if let Err(error) = fields.append(name.as_str(), value.as_bytes()) {
            eprintln!("fabricks: dropped response header {name}: {error:?}");
        }
    }
    fields
}

/// Hands status and headers to the host, then streams the body. A body error mid-way leaves
/// the outgoing-body unfinished, which the host reports as a broken response (never as a
/// complete short one).
async fn respond(response: axum::response::Response, head: bool) {
    let (parts, mut body) = response.into_parts();
    let outgoing = OutgoingResponse::new(to_fields(&parts.headers));
    outgoing.set_status_code(parts.status.as_u16()).expect("axum's StatusCode is in range");
    let wasi_body = outgoing.body().expect("the body is taken once");
    let Some(out) = PENDING.with(|p| p.borrow_mut().take()) else { return };
    ResponseOutparam::set(out, Ok(outgoing));
    let stream = AsyncOutputStream::new(wasi_body.write().expect("the stream is taken once"));
    let mut trailers = None;
    let mut written = 0;
    while let Some(frame) = body.frame().await {
        let frame = match frame {
            Ok(frame) => frame,
            Err(error) => {
                eprintln!("fabricks: the response body failed: {error}");
                return;
            }
        };
        match frame.into_data() {
            Ok(data) => {
                if stream.write_all(&data).await.is_err() {
                    return; // the client went away
                }
                written += data.len();
            }
            Err(frame) => trailers = frame.into_trailers().ok(),
        }
    }
    if stream.flush().await.is_err() {
        return;
    }
    drop(stream);
    if let Err(error) = OutgoingBody::finish(wasi_body, trailers.as_ref().map(to_fields)) {
        // HEAD and 304 keep the Content-Length a GET would have, with no body: the host
        // checks the size anyway, and the client needs nothing more.
        if written == 0 && (head || parts.status == axum::http::StatusCode::NOT_MODIFIED) {
            return;
        }
        eprintln!("fabricks: finishing the response failed: {error:?}");
    }
}

/// Panics abort (wasm has no unwinding here): log like std does, and answer 500 while the
/// response has not started.
fn on_panic(info: &std::panic::PanicHookInfo<'_>) {
    eprintln!("fabricks: a handler panicked: {info}");
    let pending = PENDING.try_with(|p| p.try_borrow_mut().ok().and_then(|mut p| p.take())).ok().flatten();
    let Some(out) = pending else { return };
    let text = b"Internal Server Error";
    let headers = Fields::new();
    let _ = headers.append("content-type", b"text/plain; charset=utf-8");
    let _ = headers.append("content-length", text.len().to_string().as_bytes());
    let response = OutgoingResponse::new(headers);
    let _ = response.set_status_code(500);
    let Ok(body) = response.body() else { return };
    ResponseOutparam::set(out, Ok(response));
    if let Ok(stream) = body.write() {
        let _ = stream.blocking_write_and_flush(text);
    }
    let _ = OutgoingBody::finish(body, None);
}

wasip2::http::proxy::export!(Component with_types_in wasip2);
