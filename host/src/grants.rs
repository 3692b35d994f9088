//! Outbound grants: which `host:port` a component may reach through wasi:http/outgoing-handler.
//!
//! The same patterns as the Fabrickfile's `[capabilities] network.connect` and the Python and
//! Node runtimes' own checks: `*` any host, `*.example.com` any name under example.com,
//! otherwise the name itself; the port is a number or `*`.

/// A list of `host:port` patterns.
#[derive(Clone, Debug, Default)]
pub struct Grants(Vec<(String, String)>);

impl Grants {
    /// Parses `["api.example.com:443", "*.internal:*"]`; an entry without a port never matches.
    pub fn new(entries: &[String]) -> Self {
        Grants(
            entries
                .iter()
                .filter_map(|e| {
                    let e = e.trim().to_ascii_lowercase();
                    let (host, port) = e.rsplit_once(':')?;
                    Some((host.to_string(), port.to_string()))
                })
                .collect(),
        )
    }

    /// Whether `host` (a name or an IP address, brackets allowed) on `port` is granted.
    pub fn allows(&self, host: &str, port: u16) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        let port = port.to_string();
        self.0.iter().any(|(h, p)| (p == "*" || *p == port) && host_matches(h, &host))
    }
}

fn host_matches(pattern: &str, host: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if let Some(suffix) = pattern.strip_prefix('*') {
        return suffix.starts_with('.') && host.ends_with(suffix) && host.len() > suffix.len();
    }
    pattern == host
}

#[cfg(test)]
mod tests {
    use super::Grants;

    #[test]
    fn patterns() {
        let g = Grants::new(&["api.example.com:443".into(), "*.internal:*".into(), "127.0.0.1:8081".into()]);
        assert!(g.allows("API.example.com", 443));
        assert!(!g.allows("api.example.com", 80));
        assert!(g.allows("db.internal", 5432));
        assert!(!g.allows("internal", 5432));
        assert!(g.allows("127.0.0.1", 8081));
        assert!(!g.allows("127.0.0.1", 8082));
        assert!(!Grants::new(&[]).allows("localhost", 80));
        assert!(Grants::new(&["*:*".into()]).allows("[::1]", 1));
    }
}
