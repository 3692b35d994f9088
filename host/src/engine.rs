//! The one wasmtime `Engine` configuration, shared by `compile` and `serve`: a `.cwasm` only
//! loads into an engine configured as the one that compiled it.

use std::sync::Arc;

use wasmtime::{CacheStore, Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, ProfilingStrategy};

/// Bytes of each pooled memory and table kept resident between instances.
const KEEP_RESIDENT: usize = 64 << 20;

/// An engine for components with async host calls; `pooling` picks wasmtime's pooling
/// instance allocator (slots reserved up front, instantiation without mmap/munmap per instance).
pub fn engine(pooling: bool) -> wasmtime::Result<Engine> {
    Engine::new(&config(pooling)?)
}

/// The engine `compile` uses: `engine(false)`'s, with Cranelift's incremental cache in `store`
/// when given. Cached functions are the same machine code, so a .cwasm it makes loads into
/// `engine`'s as one compiled without it does.
pub fn compiler(store: Option<Arc<dyn CacheStore>>) -> wasmtime::Result<Engine> {
    let mut config = config(false)?;
    if let Some(store) = store {
        config.enable_incremental_compilation(store)?;
    }
    Engine::new(&config)
}

fn config(pooling: bool) -> wasmtime::Result<Config> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    // wasi:http 0.2 uses none of the component-model-async machinery; without it wasmtime
    // skips its per-host-call task bookkeeping (host_task_create/delete): 8-12 µs less CPU per
    // request of axum-hello's 93 (docs/host.md). A .cwasm compiled with it on does not load
    // into this engine: the host's version (in the build cache key) changed with it.
    config.concurrency_support(false);
    // `FABRICKS_HOST_PROFILE=perfmap`: /tmp/perf-PID.map names the JIT code for `perf record`
    // (docs/host.md, "Where the time goes").
    if std::env::var("FABRICKS_HOST_PROFILE").is_ok_and(|v| v == "perfmap") {
        config.profiler(ProfilingStrategy::PerfMap);
    }
    if pooling {
        let mut pool = PoolingAllocationConfig::default();
        // Components from componentize-py and StarlingMonkey hold several core instances,
        // memories and tables each.
        pool.total_component_instances(1000);
        pool.total_core_instances(10_000);
        pool.total_memories(4000);
        pool.total_tables(10_000);
        pool.max_memory_size(1 << 32);
        // A retired instance's memory is reset in place (zeroed, or copied back from the
        // pre-initialized image) for its first 64 MiB instead of being discarded with madvise:
        // the next instance in that slot then takes no page faults there, and no TLB shootdown
        // stalls the other threads. flask-hello with a fresh instance per request at 8
        // connections: 3.5x the requests per second, 59 MB more peak RSS (docs/host.md).
        pool.linear_memory_keep_resident(KEEP_RESIDENT);
        pool.table_keep_resident(KEEP_RESIDENT);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    }
    Ok(config)
}
