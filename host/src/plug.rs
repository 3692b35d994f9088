//! `fabricks-host plug SOCKET PLUG OUT`: one component made of two, the socket's imports that
//! the plug exports satisfied by it, the rest left as imports of the whole (wac's `plug`, on
//! the wac-graph crate). The Python packs plug their app's component into the shell
//! (packs/_shared/python/shell), which exports wasi:http/incoming-handler.
//!
//! wasm-tools compose cannot do this: the interface between the two passes wasi:http resources
//! (an incoming-body, a response-outparam), and it does not see that both sides import the
//! same wasi:http/types. wac-graph does.

use std::path::Path;
use wac_graph::{CompositionGraph, EncodeOptions, types::Package};

/// Compose `plug` into `socket` and write the result to `output` (written beside and renamed,
/// so a failed run leaves no half-written file). Errors name the file and wac-graph's reason;
/// a plug that satisfies none of the socket's imports is an error.
pub fn plug(socket: &Path, plug: &Path, output: &Path) -> Result<(), String> {
    let mut graph = CompositionGraph::new();
    let read = |path: &Path| std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()));
    let socket_pkg = Package::from_bytes("fabricks:socket", None, read(socket)?, graph.types_mut())
        .map_err(|e| format!("{}: not a component: {e:#}", socket.display()))?;
    let socket_id = graph.register_package(socket_pkg).map_err(|e| format!("{}: {e:#}", socket.display()))?;
    let plug_pkg = Package::from_bytes("fabricks:plug", None, read(plug)?, graph.types_mut())
        .map_err(|e| format!("{}: not a component: {e:#}", plug.display()))?;
    let plug_id = graph.register_package(plug_pkg).map_err(|e| format!("{}: {e:#}", plug.display()))?;
    wac_graph::plug(&mut graph, vec![plug_id], socket_id)
        .map_err(|e| format!("{} does not fit {}: {e:#}", plug.display(), socket.display()))?;
    let bytes = graph.encode(EncodeOptions::default()).map_err(|e| format!("composing {}: {e:#}", output.display()))?;
    let partial = output.with_extension("partial");
    std::fs::write(&partial, bytes).map_err(|e| format!("{}: {e}", partial.display()))?;
    std::fs::rename(&partial, output).map_err(|e| format!("{}: {e}", output.display()))
}
