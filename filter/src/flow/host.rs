//! What the per-request flow needs from the proxy, as plain Rust. The proxy-wasm adapter
//! (the `itar-wasm` crate, wasm/) implements it over raw host calls, the Envoy dynamic module
//! (`itar-native`, native/) over Envoy's C ABI; tests implement it in memory.
//!
//! The calls are the ones the flow makes today, one for one: a method here is a host call there,
//! so the adapter adds neither calls nor copies. Quota counters in shared data come through the
//! [`SharedStore`] supertrait. Counters are counted in the VM ([`super::Loaded`]) and handed to
//! the proxy by the adapter's timer, not per request.

use crate::audit::Chain;
use crate::engine::quota::SharedStore;

/// A host call the proxy refused (the status itself is the adapter's business).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostError;

/// How a callback ends: let the stream go on, or hold it (the flow decides later or replied).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Continue,
    Pause,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Info,
    Error,
    Critical,
}

pub trait Host: SharedStore {
    /// Every request header, in order (one host call).
    fn request_headers(&mut self) -> Result<Vec<(String, String)>, HostError>;
    /// One request header's value.
    fn request_header(&mut self, name: &str) -> Option<String>;
    /// Replace (`Some`) or remove (`None`) a request header.
    fn set_request_header(&mut self, name: &str, value: Option<&str>) -> Result<(), HostError>;
    /// Remove every request trailer (they never go upstream).
    fn remove_request_trailers(&mut self);
    /// The buffered request body's first `size` bytes.
    fn request_body(&mut self, size: usize) -> Option<Vec<u8>>;
    /// Replace the buffered request body (`size` bytes of it) with `body`.
    fn set_request_body(&mut self, size: usize, body: &[u8]) -> Result<(), HostError>;
    /// One response header's value.
    fn response_header(&mut self, name: &str) -> Option<String>;
    /// Replace (`Some`) or remove (`None`) a response header.
    fn set_response_header(&mut self, name: &str, value: Option<&str>);
    /// The response body chunk (or buffered body) of `size` bytes.
    fn response_body(&mut self, size: usize) -> Option<Vec<u8>>;
    /// Replace the response body chunk (or buffered body) of `size` bytes with `body`.
    fn set_response_body(&mut self, size: usize, body: &[u8]);
    /// Answer the client with a local reply instead of forwarding.
    fn send_reply(&mut self, status: u16, headers: Vec<(&str, &str)>, body: &[u8]);
    /// Make the router pick the route again (after the routing header was set).
    fn clear_route_cache(&mut self);
    /// A stream or connection property (`["source", "address"]`, jwt_authn metadata, ...).
    fn property(&mut self, path: &[&str]) -> Option<Vec<u8>>;
    /// jwt_authn's dynamic metadata under `key` (verified claims, failure status), as JSON. By
    /// default the property `metadata.filter_metadata.<jwt_authn>.<key>` in the proxy-wasm
    /// serialization; a host that cannot return a metadata struct overrides it.
    fn jwt_metadata(&mut self, key: &str) -> Option<serde_json::Value> {
        self.property(&[
            "metadata",
            "filter_metadata",
            super::request::JWT_METADATA,
            key,
        ])
        .and_then(|b| crate::identity::decode_pairs_struct(&b))
    }
    /// Wall-clock time, nanoseconds since the Unix epoch (0 when the host cannot say).
    fn now_nanos(&mut self) -> u128;
    fn log(&mut self, level: LogLevel, msg: &str);
    /// Hand the finished request's sealed audit line to the access log (filter state).
    fn set_audit_line(&mut self, line: &[u8]);
    /// Run `f` on this VM's audit hash chain (created on first use; it outlives policy swaps).
    fn with_chain<R>(&mut self, f: impl FnOnce(&mut Chain) -> R) -> R;
}
