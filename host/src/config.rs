//! The host's configuration: one JSON document naming the address and the services to serve.
//!
//! The orchestrator writes it (`fabricks service run`); a person can too:
//!
//! ```json
//! {"addr": "127.0.0.1:8080", "grace_seconds": 10,
//!  "services": [{"name": "web", "route": "/", "component": "app.cwasm",
//!                "dirs": [{"host": "/srv/app", "guest": "/0", "writable": false}],
//!                "env": [["GREETING", "hi"]], "connect": ["api.example.com:443"],
//!                "instance_reuse": 0, "max_instances": 0, "idle_timeout_seconds": 600}]}
//! ```

use serde::Deserialize;
use std::path::PathBuf;

/// The whole document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostConfig {
    /// `host:port` to listen on.
    pub addr: String,
    /// Seconds that in-flight requests get to finish after SIGINT/SIGTERM.
    #[serde(default = "default_grace")]
    pub grace_seconds: f64,
    /// Use wasmtime's pooling instance allocator (faster instantiation, memory reserved up front);
    /// on whenever a service has a fresh instance per request (`instance_reuse` 1).
    #[serde(default)]
    pub pooling: bool,
    /// Log each instance's start (`fabricks service run --verbose`).
    #[serde(default)]
    pub verbose: bool,
    /// The services, matched by the longest `route` prefix.
    pub services: Vec<ServiceConfig>,
}

/// One component and what it is granted.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    /// Shown in the host's log lines.
    pub name: String,
    /// Path prefix the service is mounted at (`/` for all); the component sees the full path
    /// and its mount in the `x-forwarded-prefix` request header.
    #[serde(default = "default_route")]
    pub route: String,
    /// A `.cwasm` precompiled by `fabricks-host compile` (or a `.wasm`, compiled at start).
    pub component: PathBuf,
    /// Folders the component may open.
    #[serde(default)]
    pub dirs: Vec<DirGrant>,
    /// Environment variables the component sees, as `[name, value]`.
    #[serde(default)]
    pub env: Vec<(String, String)>,
    /// Outbound `host:port` patterns (`*`, `*.example.com`, port `*`) the component may call
    /// through wasi:http/outgoing-handler; everything else is refused with HTTP-request-denied.
    #[serde(default)]
    pub connect: Vec<String>,
    /// Requests an instance serves before it is replaced (1: a fresh instance per request;
    /// 0: no limit, as gunicorn's `max_requests = 0`).
    #[serde(default)]
    pub instance_reuse: u64,
    /// Instances alive at once (0: as many as there are requests in flight).
    #[serde(default)]
    pub max_instances: usize,
    /// Seconds an idle instance is kept.
    #[serde(default = "default_idle")]
    pub idle_timeout_seconds: f64,
}

/// A preopened folder.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirGrant {
    pub host: PathBuf,
    pub guest: String,
    #[serde(default)]
    pub writable: bool,
}

fn default_grace() -> f64 {
    10.0
}
fn default_route() -> String {
    "/".into()
}
fn default_idle() -> f64 {
    600.0
}

impl HostConfig {
    /// Reads and checks `path`; the error names the file and what is wrong.
    pub fn load(path: &std::path::Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let config: HostConfig =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if config.services.is_empty() {
            return Err(format!("{}: no services to serve", path.display()));
        }
        for service in &config.services {
            if !service.route.starts_with('/') {
                return Err(format!(
                    "{}: service {:?}: route {:?} must start with /",
                    path.display(),
                    service.name,
                    service.route
                ));
            }
        }
        Ok(config)
    }
}
