//! Instances of one service, and which one serves a request.
//!
//! The rule that keeps an app's in-memory state together: a request goes to an idle instance
//! (the one idle most recently), else to an instance whose previous response is complete but
//! whose `handle` has not yet returned (it will be free in a moment: the client that got that
//! response is often the one asking now), and only when every instance is still producing a
//! response is a new one made. So one client's sequential requests always reach the same
//! instance, and N concurrent clients need at most N instances. (`wasmtime serve` makes a new
//! instance in the second case, which splits state between two instances.)
//!
//! Each instance lives in a worker task that owns its `Store` and takes requests from its own
//! queue, one at a time, as the wasi:http 0.2 incoming-handler requires.

use crate::config::ServiceConfig;
use crate::grants::Grants;
use crate::store::InstanceData;
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use wasmtime::Store;
use wasmtime::component::Component;
use wasmtime_wasi_http::WasiHttpView;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::{ErrorCode, Scheme};
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;

/// What a worker sends back for a request: the component's response, or why there is none.
pub type Reply = Result<hyper::Response<HyperOutgoingBody>, ErrorCode>;

/// A request on its way to a worker.
struct Job {
    request: hyper::Request<hyper::body::Incoming>,
    seq: u64,
    reply: oneshot::Sender<Reply>,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Phase {
    /// Waiting for a request; `since` orders idle workers (the most recent is used first).
    Idle { since: Instant },
    /// Producing the response of its current request.
    Serving,
    /// Its current response is complete; `handle` has not returned yet.
    Finishing,
}

struct Slot {
    id: u64,
    queue: mpsc::UnboundedSender<Job>,
    /// Requests sent to the worker and not yet returned from `handle`, the current one included.
    pending: usize,
    /// The request the worker is serving now.
    current: u64,
    phase: Phase,
}

struct Slots {
    slots: Vec<Slot>,
    next_id: u64,
    next_seq: u64,
}

/// The instances of one service.
pub struct Pool {
    pub service: ServiceConfig,
    verbose: bool,
    engine: wasmtime::Engine,
    pre: ProxyPre<InstanceData>,
    grants: Arc<Grants>,
    slots: Mutex<Slots>,
}

/// Links `component` as every service's instances are linked: each wasi:cli, filesystem,
/// clocks, random, sockets and wasi:http 0.2 import satisfied by this host. Fails, naming it,
/// on an import of anything else, or when the component does not export
/// `wasi:http/incoming-handler` (the wasi:http/proxy world's export).
pub fn link(engine: &wasmtime::Engine, component: &Component) -> wasmtime::Result<ProxyPre<InstanceData>> {
    let mut linker = wasmtime::component::Linker::<InstanceData>::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    ProxyPre::new(linker.instantiate_pre(component)?)
}

impl Pool {
    /// The instances of `service`, linked by link().
    pub fn new(
        engine: &wasmtime::Engine,
        service: ServiceConfig,
        component: &Component,
        verbose: bool,
    ) -> wasmtime::Result<Arc<Self>> {
        let pre = link(engine, component)?;
        let grants = Arc::new(Grants::new(&service.connect));
        Ok(Arc::new(Pool {
            service,
            verbose,
            engine: engine.clone(),
            pre,
            grants,
            slots: Mutex::new(Slots { slots: Vec::new(), next_id: 0, next_seq: 0 }),
        }))
    }

    /// Sends `request` to the instance chosen by the rule above; the receiver gets its reply.
    pub fn dispatch(
        self: &Arc<Self>,
        request: hyper::Request<hyper::body::Incoming>,
    ) -> (oneshot::Receiver<Reply>, ResponseDone) {
        let (reply, receiver) = oneshot::channel();
        let mut guard = self.slots.lock().unwrap();
        let state = &mut *guard;
        let seq = state.next_seq;
        state.next_seq += 1;
        let job = Job { request, seq, reply };

        let idle = state
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match s.phase {
                Phase::Idle { since } if s.pending == 0 => Some((since, i)),
                _ => None,
            })
            .max_by_key(|(since, _)| *since)
            .map(|(_, i)| i);
        let chosen = idle.or_else(|| {
            state.slots.iter().position(|s| s.phase == Phase::Finishing && s.pending == 1)
        });
        let at_limit =
            self.service.max_instances != 0 && state.slots.len() >= self.service.max_instances;
        let chosen = match chosen {
            Some(i) => Some(i),
            // At the limit: wait behind the instance with the shortest queue.
            None if at_limit => (0..state.slots.len()).min_by_key(|&i| state.slots[i].pending),
            None => None,
        };
        let id = match chosen {
            Some(i) => {
                let slot = &mut state.slots[i];
                if slot.pending == 0 {
                    slot.phase = Phase::Serving;
                    slot.current = seq;
                }
                slot.pending += 1;
                let _ = slot.queue.send(job);
                slot.id
            }
            None => {
                let (queue, jobs) = mpsc::unbounded_channel();
                let id = state.next_id;
                state.next_id += 1;
                let _ = queue.send(job);
                state.slots.push(Slot { id, queue, pending: 1, current: seq, phase: Phase::Serving });
                tokio::spawn(Arc::clone(self).work(id, jobs));
                id
            }
        };
        (receiver, ResponseDone { pool: Arc::clone(self), id, seq })
    }

    fn with_slot(&self, id: u64, f: impl FnOnce(&mut Slot)) {
        let mut state = self.slots.lock().unwrap();
        if let Some(slot) = state.slots.iter_mut().find(|s| s.id == id) {
            f(slot);
        }
    }

    /// Drops the worker `id` if it is still idle (no request was sent to it meanwhile).
    fn retire_if_idle(&self, id: u64) -> bool {
        let mut state = self.slots.lock().unwrap();
        let before = state.slots.len();
        state.slots.retain(|s| !(s.id == id && s.pending == 0));
        state.slots.len() < before
    }

    async fn instantiate(&self) -> wasmtime::Result<(Store<InstanceData>, wasmtime_wasi_http::p2::bindings::Proxy)> {
        let data = InstanceData::new(&self.service, Arc::clone(&self.grants))?;
        let mut store = Store::new(&self.engine, data);
        if let Some(limit) = max_handles() {
            store.set_max_component_handles(limit);
        }
        let proxy = self.pre.instantiate_async(&mut store).await?;
        Ok((store, proxy))
    }

    /// The worker: one instance at a time, replaced after `instance_reuse` requests or a trap.
    async fn work(self: Arc<Self>, id: u64, mut jobs: mpsc::UnboundedReceiver<Job>) {
        let idle_timeout = Duration::from_secs_f64(self.service.idle_timeout_seconds.max(0.001));
        let mut instance = None;
        let mut served = 0u64;
        loop {
            let job = match tokio::time::timeout(idle_timeout, jobs.recv()).await {
                Ok(Some(job)) => job,
                Ok(None) => return,
                Err(_) if self.retire_if_idle(id) => return,
                Err(_) => continue,
            };
            let seq = job.seq;
            self.with_slot(id, |slot| {
                slot.current = seq;
                slot.phase = Phase::Serving;
            });
            if instance.is_none() {
                match self.instantiate().await {
                    Ok(made) => {
                        instance = Some(made);
                        served = 0;
                        if self.verbose {
                            eprintln!(
                                "fabricks-host: {}: instance started in worker {id} ({} workers)",
                                self.service.name,
                                self.slots.lock().unwrap().slots.len()
                            );
                        }
                    }
                    Err(error) => {
                        eprintln!("fabricks-host: {}: instantiation failed: {error:?}", self.service.name);
                        let _ = job.reply.send(Err(ErrorCode::InternalError(Some(
                            "the component could not be instantiated".into(),
                        ))));
                        self.finished(id);
                        continue;
                    }
                }
            }
            let (store, proxy) = instance.as_mut().unwrap();
            let healthy = self.call(store, proxy, job).await;
            served += 1;
            if !healthy || (self.service.instance_reuse != 0 && served >= self.service.instance_reuse) {
                instance = None;
            }
            self.finished(id);
        }
    }

    fn finished(&self, id: u64) {
        self.with_slot(id, |slot| {
            slot.pending -= 1;
            if slot.pending == 0 {
                slot.phase = Phase::Idle { since: Instant::now() };
            }
        });
    }

    /// Calls `wasi:http/incoming-handler.handle` for `job`; false when the instance trapped
    /// (it is then dropped: its memory may be in any state).
    async fn call(
        &self,
        store: &mut Store<InstanceData>,
        proxy: &wasmtime_wasi_http::p2::bindings::Proxy,
        job: Job,
    ) -> bool {
        let reply = Arc::new(Mutex::new(Some(job.reply)));
        let resources = (|| {
            let request = store.data_mut().http().new_incoming_request(Scheme::Http, job.request)?;
            let out = store.data_mut().http().new_response_outparam_from_callback({
                let reply = Arc::clone(&reply);
                move |value| {
                    if let Some(reply) = reply.lock().unwrap().take() {
                        let _ = reply.send(value);
                    }
                }
            })?;
            wasmtime::Result::<_>::Ok((request, out))
        })();
        let outcome = match resources {
            Ok((request, out)) => proxy.wasi_http_incoming_handler().call_handle(&mut *store, request, out).await,
            Err(error) => Err(error),
        };
        let unanswered = reply.lock().unwrap().take();
        match outcome {
            Ok(()) => {
                if let Some(reply) = unanswered {
                    let _ = reply.send(Err(ErrorCode::InternalError(Some(
                        "the handler returned without setting a response".into(),
                    ))));
                }
                true
            }
            Err(error) => {
                eprintln!("fabricks-host: {}: the component trapped: {error:?}", self.service.name);
                if let Some(reply) = unanswered {
                    let _ = reply.send(Err(ErrorCode::InternalError(Some("the component trapped".into()))));
                }
                false
            }
        }
    }

}

/// Marks a worker's current response complete once its body has been sent (or dropped).
pub struct ResponseDone {
    pool: Arc<Pool>,
    id: u64,
    seq: u64,
}

impl Drop for ResponseDone {
    fn drop(&mut self) {
        let seq = self.seq;
        self.pool.with_slot(self.id, |slot| {
            if slot.current == seq && slot.phase == Phase::Serving && slot.pending == 1 {
                slot.phase = Phase::Finishing;
            }
        });
    }
}

/// A response body that reports its end to the pool (see [`ResponseDone`]).
pub struct TrackedBody {
    inner: HyperOutgoingBody,
    done: Option<ResponseDone>,
}

impl TrackedBody {
    pub fn new(inner: HyperOutgoingBody, done: ResponseDone) -> Self {
        TrackedBody { inner, done: Some(done) }
    }

    pub fn from_parts(inner: HyperOutgoingBody, done: Option<ResponseDone>) -> Self {
        TrackedBody { inner, done }
    }
}

impl Body for TrackedBody {
    type Data = Bytes;
    type Error = wasmtime_wasi_http::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.done.take();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// `FABRICKS_HOST_MAX_HANDLES=N`: an instance traps once it holds N live resource handles
/// (wasmtime's default is 100,000 a store). Set low, a handle a bridge never drops shows
/// within a few requests instead of tens of thousands (tests/e2e/test_handles.py).
fn max_handles() -> Option<usize> {
    static LIMIT: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| std::env::var("FABRICKS_HOST_MAX_HANDLES").ok().and_then(|v| v.parse().ok()))
}
