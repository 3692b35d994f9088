//! What each instance's `Store` holds: its WASI context (env, folders, stdio), its wasi:http
//! context, and the hooks that check outbound requests against the service's grants.

use crate::config::ServiceConfig;
use crate::grants::Grants;
use std::sync::Arc;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::{
    Error as HttpError, RequestOptions, WasiBody, WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks,
    WasiHttpView,
};

/// The data of one instance's `Store`.
pub struct InstanceData {
    table: ResourceTable,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    hooks: GrantHooks,
}

impl InstanceData {
    /// A fresh context for `service`: stdout and stderr inherited, its env and folders only,
    /// no sockets (outbound HTTP goes through wasi:http and the grants).
    pub fn new(service: &ServiceConfig, grants: Arc<Grants>) -> wasmtime::Result<Self> {
        let mut builder = WasiCtxBuilder::new();
        builder.inherit_stdout().inherit_stderr();
        // Filesystem calls run on the instance's own thread, as in `wasmtime serve`: handing
        // each to tokio's blocking pool costs two thread switches per call, and an app that
        // stats files per request (FastAPI did, measured) spent half its time switching.
        builder.allow_blocking_current_thread(true);
        for (name, value) in &service.env {
            builder.env(name, value);
        }
        for dir in &service.dirs {
            let perms = if dir.writable { FsPerms::ReadWrite } else { FsPerms::ReadOnly };
            builder.preopened_dir(&dir.host, &dir.guest, perms)?;
        }
        Ok(InstanceData {
            table: ResourceTable::new(),
            wasi: builder.build(),
            http: WasiHttpCtx::new(),
            hooks: GrantHooks { grants },
        })
    }
}

impl WasiView for InstanceData {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for InstanceData {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.hooks }
    }
}

/// Refuses outbound requests to authorities the service was not granted
/// (`wasi:http/types.error-code.HTTP-request-denied`); sends the others as wasmtime does.
struct GrantHooks {
    grants: Arc<Grants>,
}

type SendResult = wasmtime_wasi_http::Result<(
    http::Response<WasiBody>,
    Box<dyn Future<Output = Result<(), HttpError>> + Send>,
)>;

impl WasiHttpHooks for GrantHooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ) -> Box<dyn Future<Output = SendResult> + Send> {
        let uri = request.uri();
        let https = uri.scheme() == Some(&http::uri::Scheme::HTTPS);
        let host = uri.host().unwrap_or("").to_string();
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        if !self.grants.allows(&host, port) {
            eprintln!(
                "fabricks-host: refused an outbound request to {host}:{port}: not granted \
                 (add \"{host}:{port}\" to [capabilities] network.connect, or --connect)"
            );
            // Take the request's body first: a guest still writing it would otherwise see its
            // stream break (wstd reports that as "connection reset"), not the refusal.
            return Box::new(async move {
                use http_body_util::BodyExt;
                let _ = request.into_body().collect().await;
                Err(HttpError::HttpRequestDenied)
            });
        }
        Box::new(async move {
            use http_body_util::BodyExt;
            let (response, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            Ok((
                response.map(BodyExt::boxed_unsync),
                Box::new(io) as Box<dyn Future<Output = Result<(), HttpError>> + Send>,
            ))
        })
    }
}
