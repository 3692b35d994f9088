//! The Python packs' wasi:http shell: `wasi:http/incoming-handler@0.2` in front of the app
//! component's `fabricks:shell/handler` (wit/deps/shell@0.1.0).
//!
//! Per request: the incoming-request's parts and up to EAGER bytes of its body go to the app
//! component in one call; a whole response comes back in one value and is written here (status,
//! fields, body in WRITE_LIMIT pieces, finish). A longer body is handed over as its stream, and
//! a streamed response is written by the app component itself through the response-outparam.

wit_bindgen::generate!({
    path: "../../../../wit",
    world: "fabricks:shell/shell@0.1.0",
    generate_all,
});

use fabricks::shell::handler;
use wasi::http::types::{
    Fields, IncomingBody, IncomingRequest, Method, OutgoingBody, OutgoingResponse, ResponseOutparam, Scheme,
};
use wasi::io::streams::StreamError;

/// Bytes of the request body read before the app runs; a longer body is streamed to it.
const EAGER: u64 = 64 * 1024;
/// wasi:io/streams `blocking-write-and-flush` takes at most 4096 bytes a call.
const WRITE_LIMIT: usize = 4096;

struct Shell;

fn method_name(method: Method) -> String {
    match method {
        Method::Get => "GET".into(),
        Method::Head => "HEAD".into(),
        Method::Post => "POST".into(),
        Method::Put => "PUT".into(),
        Method::Delete => "DELETE".into(),
        Method::Connect => "CONNECT".into(),
        Method::Options => "OPTIONS".into(),
        Method::Trace => "TRACE".into(),
        Method::Patch => "PATCH".into(),
        Method::Other(other) => other,
    }
}

fn log(message: &str) {
    let _ = wasi::cli::stderr::get_stderr().blocking_write_and_flush(format!("{message}\n").as_bytes());
}

type Rest = Option<(wasi::io::streams::InputStream, IncomingBody)>;

/// The body's first EAGER bytes; its stream and body when more may follow; why reading it
/// failed, if it did (the bridges raise that to the app when it reads past those bytes).
fn read_body(request: &IncomingRequest) -> (Vec<u8>, Rest, Option<String>) {
    let mut body = Vec::new();
    let Ok(incoming) = request.consume() else { return (body, None, None) };
    let Ok(stream) = incoming.stream() else { return (body, None, None) };
    while (body.len() as u64) < EAGER {
        match stream.blocking_read(EAGER - body.len() as u64) {
            Ok(chunk) => body.extend_from_slice(&chunk),
            Err(StreamError::Closed) => {
                drop(stream);
                // Trailers are not passed on (neither bridge has a place for them).
                drop(IncomingBody::finish(incoming));
                return (body, None, None);
            }
            Err(StreamError::LastOperationFailed(error)) => {
                return (body, None, Some(error.to_debug_string()));
            }
        }
    }
    (body, Some((stream, incoming)), None)
}

impl exports::wasi::http::incoming_handler::Guest for Shell {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let fields = request.headers();
        let headers = fields.entries();
        drop(fields);
        let scheme = match request.scheme() {
            None | Some(Scheme::Http) => "http".to_string(),
            Some(Scheme::Https) => "https".to_string(),
            Some(Scheme::Other(other)) => other,
        };
        let method = method_name(request.method());
        let (body, rest, body_error) = read_body(&request);
        let parts = handler::Request {
            method,
            scheme,
            authority: request.authority().unwrap_or_default(),
            path_with_query: request.path_with_query().unwrap_or_default(),
            headers,
            body,
            rest,
            body_error,
        };
        let head = parts.method == "HEAD";
        if let Some(response) = handler::handle(parts, out) {
            respond(response, head);
        }
        // The request outlives the body the app component may have read (a child resource).
        drop(request);
    }
}

/// Write a whole response. Header fields wasi:http refuses give a bare 500, as the bridges
/// give when the app's response can't be sent.
fn respond(response: handler::Response, head: bool) {
    let fields = match Fields::from_list(&response.headers) {
        Ok(fields) => fields,
        Err(error) => {
            log(&format!("the app's response header fields were refused ({error:?}), 500 sent: {:?}",
                         response.headers.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>()));
            let bare = OutgoingResponse::new(Fields::new());
            let _ = bare.set_status_code(500);
            let body = bare.body().expect("a new response's body");
            ResponseOutparam::set(response.out, Ok(bare));
            let _ = OutgoingBody::finish(body, None);
            return;
        }
    };
    let outgoing = OutgoingResponse::new(fields);
    // 200 is wasi:http's default: one host call saved on most responses.
    if response.status != 200 && outgoing.set_status_code(response.status).is_err() {
        log(&format!("invalid status {}, 500 sent", response.status));
        let _ = outgoing.set_status_code(500);
    }
    let body = outgoing.body().expect("a new response's body");
    ResponseOutparam::set(response.out, Ok(outgoing));
    let stream = body.write().expect("a new body's stream");
    for piece in response.body.chunks(WRITE_LIMIT) {
        if stream.blocking_write_and_flush(piece).is_err() {
            return; // the client went away: dropping the body unfinished ends the response
        }
    }
    drop(stream);
    if OutgoingBody::finish(body, None).is_err() && !(response.body.is_empty() && (head || response.status == 304)) {
        // HEAD and 304 keep the Content-Length a GET would have, with no body.
        log("the response body did not match its Content-Length: the response was cut short");
    }
}

export!(Shell);
