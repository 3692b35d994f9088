//! Stands in for `tokio` when the rust-axum pack builds an app's `main.rs` (docs/rust-axum.md):
//! everything of the real tokio that builds for wasm, re-exported, with the pieces a `main` uses
//! to serve replaced: the host owns the socket and the runtime.

pub use tokio::*;

/// `#[tokio::main]`: main's body runs once per instance, on the first request.
pub use fabricks_main_macro::main;

pub mod net {
    //! `TcpListener::bind` succeeds without a socket: `axum::serve` only records the Router.
    use std::io;
    use std::net::{Ipv4Addr, SocketAddr, ToSocketAddrs};

    #[derive(Debug)]
    pub struct TcpListener {
        addr: SocketAddr,
    }

    impl TcpListener {
        /// Keeps the address for `local_addr` (0.0.0.0:0 when it is a name to resolve).
        pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
            let addr = addr.to_socket_addrs().ok().and_then(|mut a| a.next());
            Ok(TcpListener { addr: addr.unwrap_or((Ipv4Addr::UNSPECIFIED, 0).into()) })
        }

        pub fn local_addr(&self) -> io::Result<SocketAddr> {
            Ok(self.addr)
        }
    }
}

pub mod signal {
    //! No signals reach a component: `ctrl_c()` never completes.
    pub async fn ctrl_c() -> std::io::Result<()> {
        std::future::pending().await
    }
}
