//! `fabricks-host`: Fabricks' wasi:http host, on the wasmtime and wasmtime-wasi-http crates.
//!
//! `fabricks-host compile IN.wasm OUT.cwasm [--cache DIR]` precompiles a component for this host
//! (with `--cache`, reusing functions compiled for earlier components: `compile_cache.rs`);
//! `fabricks-host plug SOCKET.wasm PLUG.wasm OUT.wasm` composes two components (`plug.rs`);
//! `fabricks-host serve CONFIG.json` serves the services the configuration names
//! (see `config.rs`). It does what `wasmtime serve` does for wasi:http 0.2 components, plus:
//! instance affinity (a client's next request reaches the instance that served its last one:
//! `pool.rs`), several services on one address by route, outbound grants checked in the host,
//! and a stop that returns at once when nothing is in flight.

mod compile_cache;
mod config;
mod engine;
mod grants;
mod plug;
mod pool;
mod server;
mod store;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use wasmtime::component::Component;

#[derive(Parser)]
#[command(name = "fabricks-host", version = concat!(env!("CARGO_PKG_VERSION"), " (wasmtime 49.0.3)"), about = "Serves wasi:http components (Fabricks' host)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Precompile a component for this host (a .cwasm).
    Compile {
        input: PathBuf,
        output: PathBuf,
        /// Folder of Cranelift's per-function cache, shared by every compile that names it.
        #[arg(long)]
        cache: Option<PathBuf>,
        /// The cache's limit in MiB: least recently used functions are removed above it.
        #[arg(long, default_value_t = 1024)]
        cache_max_mib: u64,
    },
    /// Satisfy the socket component's imports with the plug component's exports, as `wac plug` does.
    Plug {
        socket: PathBuf,
        plug: PathBuf,
        output: PathBuf,
    },
    /// Serve the services a JSON configuration names.
    Serve {
        config: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Compile { input, output, cache, cache_max_mib } => {
            let cache = cache.map(|dir| std::sync::Arc::new(compile_cache::DiskCache::new(dir)));
            let compiled = compile(&input, &output, cache.clone());
            if let Some(cache) = cache {
                cache.prune(cache_max_mib << 20);
            }
            compiled
        }
        Command::Plug { socket, plug, output } => plug::plug(&socket, &plug, &output),
        Command::Serve { config } => serve(&config),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("fabricks-host: {message}");
            ExitCode::FAILURE
        }
    }
}

fn compile(input: &PathBuf, output: &PathBuf, cache: Option<std::sync::Arc<compile_cache::DiskCache>>) -> Result<(), String> {
    let engine = engine::compiler(cache.map(|c| c as _)).map_err(|e| format!("{e:?}"))?;
    let bytes = std::fs::read(input).map_err(|e| format!("{}: {e}", input.display()))?;
    let compiled = engine
        .precompile_component(&bytes)
        .map_err(|e| format!("{}: not a component this host can compile: {e:?}", input.display()))?;
    // Linked now as `serve` will link it, so that an import no host provides fails the build
    // that made it rather than the first start.
    // SAFETY: `compiled` was made by this engine just above.
    let component = unsafe { Component::deserialize(&engine, &compiled) }.map_err(|e| format!("{}: {e:?}", input.display()))?;
    if let Err(e) = pool::link(&engine, &component) {
        println!("fabricks-error: {}: the component does not link on a wasi:http host: {e:#}", input.display());
        println!("fabricks-hint: A component imports only WASI 0.2 (wasi:cli, io, clocks, random, filesystem, sockets, http) \
                  and exports wasi:http/incoming-handler; an import of anything else must be satisfied at build time \
                  (a pack's composition step) or removed from the app's world.");
        return Err(format!("{}: does not link: {e:#}", input.display()));
    }
    // Written beside and renamed, so a stopped compile leaves no half-written .cwasm.
    let partial = output.with_extension("cwasm.partial");
    std::fs::write(&partial, compiled).map_err(|e| format!("{}: {e}", partial.display()))?;
    std::fs::rename(&partial, output).map_err(|e| format!("{}: {e}", output.display()))
}

fn load(engine: &wasmtime::Engine, path: &PathBuf) -> Result<Component, String> {
    let loaded = if path.extension().is_some_and(|e| e == "cwasm") {
        // SAFETY: a .cwasm is trusted input: the orchestrator compiled it with `compile` above.
        unsafe { Component::deserialize_file(engine, path) }
    } else {
        Component::from_file(engine, path)
    };
    loaded.map_err(|e| format!("{}: {e:?}", path.display()))
}

fn serve(config_path: &PathBuf) -> Result<(), String> {
    let config = config::HostConfig::load(config_path)?;
    // A service with a fresh instance per request instantiates all the time: that is what the
    // pooling allocator is for (docs/host.md, "A fresh instance per request").
    let pooling = config.pooling || config.services.iter().any(|s| s.instance_reuse == 1);
    let engine = engine::engine(pooling).map_err(|e| format!("{e:?}"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let mut pools = Vec::new();
        for service in config.services {
            let component = load(&engine, &service.component)?;
            let name = service.name.clone();
            let pool = pool::Pool::new(&engine, service, &component, config.verbose)
                .map_err(|e| format!("service {name}: {e:?}"))?;
            pools.push(pool);
        }
        let listener = tokio::net::TcpListener::bind(&config.addr)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
        for pool in &pools {
            eprintln!(
                "fabricks-host: serving {} at http://{}{}",
                pool.service.name, config.addr, pool.service.route
            );
        }
        let router = server::Router::new(pools);
        server::serve(listener, router, Duration::from_secs_f64(config.grace_seconds.max(0.0)))
            .await
            .map_err(|e| e.to_string())
    })
}
