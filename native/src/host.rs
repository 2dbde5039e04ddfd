//! [`Host`] over the dynamic-module ABI: what the proxy-wasm adapter (`itar-wasm`) does with host calls, done
//! with Envoy's C callbacks. Every `unsafe` block in this file is one ABI call (or the read of the
//! Envoy-owned bytes it returned, during the same hook) on the filter pointer Envoy handed to the
//! hook being served.
//!
//! What the proxy-wasm host provides and the ABI does not, and its native equivalent:
//! - shared data (quota counters): one process-wide map under a mutex ([`STORE`]), with the
//!   same compare-and-swap tokens; Envoy's workers are threads of one process, so this is shared
//!   by all of them, as proxy-wasm shared data is shared by all VMs;
//! - the audit hash chain: one per worker thread ([`CHAIN`]), as the Wasm build has one per VM;
//! - properties: the attributes the ABI has (source address, peer certificate digest and URI
//!   SAN, response code and size); jwt_authn's claims and failure status (structs in dynamic
//!   metadata, which the ABI does not return) come as JSON through filter state that the
//!   bootstrap sets from that metadata ([`JWT_STATE_PREFIX`]).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use itar_filter::audit::{chain_id, Chain};
use itar_filter::engine::quota::{SharedStore, StoreError};
use itar_filter::flow::{Host, HostError, LogLevel};

use crate::abi::{self, EnvoyBuffer, EnvoyHttpHeader, FilterEnvoyPtr, ModuleBuffer};

/// Filter state key the access log prints: the same key the Wasm build's property lands under,
/// so one bootstrap's access log serves both builds (`%FILTER_STATE(wasm.itar_audit:PLAIN)%`).
pub const AUDIT_KEY: &[u8] = b"wasm.itar_audit";

/// Filter state keys under which the bootstrap's `set_filter_state` filter (right after
/// jwt_authn, `scripts/render-envoy --native`) puts jwt_authn's metadata as JSON: the ABI reads
/// dynamic metadata only as strings, numbers and bools, and the verified claims are a struct.
/// Filter state is set by Envoy's filters only, never from the request.
pub const JWT_STATE_PREFIX: &str = "itar.jwt.";

/// Quota counters shared by every worker of this Envoy process: key -> (value, CAS token).
static STORE: Mutex<BTreeMap<String, (Vec<u8>, u32)>> = Mutex::new(BTreeMap::new());

thread_local! {
    /// This worker's audit hash chain (created on first use; it outlives policy swaps).
    static CHAIN: RefCell<Option<Chain>> = const { RefCell::new(None) };
}

pub fn log(level: u32, msg: &str) {
    // SAFETY: the message is a live module buffer for the call; Envoy copies it.
    unsafe { abi::envoy_dynamic_module_callback_log(level, ModuleBuffer::of(msg.as_bytes())) }
}

fn now_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

fn new_chain() -> Chain {
    let nanos = now_nanos();
    // The node id is not reachable through the ABI: the host name names the process instead.
    let node = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let random = {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(nanos);
        h.write_u64(thread_id_hash());
        h.finish()
    };
    Chain::new(chain_id(&node, nanos, &random.to_le_bytes()))
}

fn thread_id_hash() -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::thread::current().id().hash(&mut h);
    h.finish()
}

/// Bytes Envoy owns, copied out.
///
/// # Safety
/// `b` must come from an ABI call made during the current hook.
unsafe fn copy(b: &EnvoyBuffer) -> Vec<u8> {
    if b.ptr.is_null() || b.length == 0 {
        return Vec::new();
    }
    std::slice::from_raw_parts(b.ptr, b.length).to_vec()
}

/// Envoy-owned bytes as a string (lossless for the UTF-8 Envoy keeps in header maps).
///
/// # Safety
/// As [`copy`].
unsafe fn string(b: &EnvoyBuffer) -> String {
    if b.ptr.is_null() || b.length == 0 {
        return String::new();
    }
    String::from_utf8_lossy(std::slice::from_raw_parts(b.ptr, b.length)).into_owned()
}

/// The stream a hook serves: Envoy's filter pointer, valid for the hook's duration.
pub struct NativeHost {
    pub filter: FilterEnvoyPtr,
}

impl NativeHost {
    fn header(&mut self, ty: u32, name: &str) -> Option<String> {
        let mut out = EnvoyBuffer::EMPTY;
        // SAFETY: see the module doc; `out` is written by Envoy and read during this hook.
        unsafe {
            let found = abi::envoy_dynamic_module_callback_http_get_header(
                self.filter,
                ty,
                ModuleBuffer::of(name.as_bytes()),
                &mut out,
                0,
                std::ptr::null_mut(),
            );
            (found && !out.ptr.is_null()).then(|| string(&out))
        }
    }

    fn set_header(&mut self, ty: u32, name: &str, value: Option<&str>) -> bool {
        let value = value.map_or(ModuleBuffer::NULL, |v| ModuleBuffer::of(v.as_bytes()));
        // SAFETY: see the module doc.
        unsafe {
            abi::envoy_dynamic_module_callback_http_set_header(
                self.filter,
                ty,
                ModuleBuffer::of(name.as_bytes()),
                value,
            )
        }
    }

    fn headers(&mut self, ty: u32) -> Option<Vec<(String, String)>> {
        // SAFETY: see the module doc; the vector has the length Envoy reported.
        unsafe {
            let n = abi::envoy_dynamic_module_callback_http_get_headers_size(self.filter, ty);
            let empty = EnvoyHttpHeader {
                key_ptr: std::ptr::null(),
                key_length: 0,
                value_ptr: std::ptr::null(),
                value_length: 0,
            };
            let mut raw = vec![empty; n];
            if n > 0
                && !abi::envoy_dynamic_module_callback_http_get_headers(
                    self.filter,
                    ty,
                    raw.as_mut_ptr(),
                )
            {
                return None;
            }
            Some(
                raw.iter()
                    .map(|h| {
                        (
                            string(&EnvoyBuffer {
                                ptr: h.key_ptr,
                                length: h.key_length,
                            }),
                            string(&EnvoyBuffer {
                                ptr: h.value_ptr,
                                length: h.value_length,
                            }),
                        )
                    })
                    .collect(),
            )
        }
    }

    fn append_chunks(&mut self, ty: u32, out: &mut Vec<u8>) -> bool {
        // SAFETY: see the module doc; the vector has the length Envoy reported.
        unsafe {
            let n = abi::envoy_dynamic_module_callback_http_get_body_chunks_size(self.filter, ty);
            if n == 0 {
                return true;
            }
            let mut chunks = vec![EnvoyBuffer::EMPTY; n];
            if !abi::envoy_dynamic_module_callback_http_get_body_chunks(
                self.filter,
                ty,
                chunks.as_mut_ptr(),
            ) {
                return false;
            }
            for c in &chunks {
                if !c.ptr.is_null() && c.length > 0 {
                    out.extend_from_slice(std::slice::from_raw_parts(c.ptr, c.length));
                }
            }
            true
        }
    }

    fn received_is_buffered(&mut self, request: bool) -> bool {
        // SAFETY: see the module doc.
        unsafe {
            if request {
                abi::envoy_dynamic_module_callback_http_received_buffered_request_body(self.filter)
            } else {
                abi::envoy_dynamic_module_callback_http_received_buffered_response_body(self.filter)
            }
        }
    }

    fn types(request: bool) -> (u32, u32) {
        if request {
            (
                abi::body_type::BUFFERED_REQUEST,
                abi::body_type::RECEIVED_REQUEST,
            )
        } else {
            (
                abi::body_type::BUFFERED_RESPONSE,
                abi::body_type::RECEIVED_RESPONSE,
            )
        }
    }

    /// The body as the flow sees it in a body callback: what earlier callbacks buffered, then
    /// this callback's chunk (the proxy-wasm host hands over the same bytes as one buffer).
    pub fn body_size(&mut self, request: bool) -> usize {
        let (buffered, received) = Self::types(request);
        let only_received = self.received_is_buffered(request);
        // SAFETY: see the module doc.
        unsafe {
            let r = abi::envoy_dynamic_module_callback_http_get_body_size(self.filter, received);
            if only_received {
                r
            } else {
                r.saturating_add(abi::envoy_dynamic_module_callback_http_get_body_size(
                    self.filter,
                    buffered,
                ))
            }
        }
    }

    fn body(&mut self, request: bool, size: usize) -> Option<Vec<u8>> {
        let (buffered, received) = Self::types(request);
        let mut out = Vec::with_capacity(size);
        if !self.received_is_buffered(request) && !self.append_chunks(buffered, &mut out) {
            return None;
        }
        if !self.append_chunks(received, &mut out) {
            return None;
        }
        out.truncate(size);
        Some(out)
    }

    /// Replace the whole body (buffered and this callback's chunk) with `body`: both drained,
    /// `body` appended to the chunk, which Envoy adds to the buffered data when the filter
    /// continues.
    fn set_body(&mut self, request: bool, body: &[u8]) -> bool {
        let (buffered, received) = Self::types(request);
        let only_received = self.received_is_buffered(request);
        // SAFETY: see the module doc.
        unsafe {
            let f = self.filter;
            let mut ok = true;
            let drained: &[u32] = if only_received {
                &[received]
            } else {
                &[buffered, received]
            };
            for &ty in drained {
                let n = abi::envoy_dynamic_module_callback_http_get_body_size(f, ty);
                if n > 0 {
                    ok &= abi::envoy_dynamic_module_callback_http_drain_body(f, ty, n);
                }
            }
            // Outside a body callback (trailers) there is no chunk: the buffered body takes it.
            ok && (abi::envoy_dynamic_module_callback_http_append_body(
                f,
                received,
                ModuleBuffer::of(body),
            ) || abi::envoy_dynamic_module_callback_http_append_body(
                f,
                buffered,
                ModuleBuffer::of(body),
            ))
        }
    }

    fn attribute_string(&mut self, id: u32) -> Option<Vec<u8>> {
        let mut out = EnvoyBuffer::EMPTY;
        // SAFETY: see the module doc.
        unsafe {
            abi::envoy_dynamic_module_callback_http_filter_get_attribute_string(
                self.filter,
                id,
                &mut out,
            )
            .then(|| copy(&out))
        }
    }

    fn attribute_int(&mut self, id: u32) -> Option<Vec<u8>> {
        let mut out: u64 = 0;
        // SAFETY: see the module doc.
        unsafe {
            abi::envoy_dynamic_module_callback_http_filter_get_attribute_int(
                self.filter,
                id,
                &mut out,
            )
            .then(|| out.to_le_bytes().to_vec())
        }
    }

    /// Send a local reply (status, headers, body).
    pub fn send(&mut self, status: u16, headers: &[(&str, &str)], body: &[u8], details: &str) {
        let hs: Vec<abi::ModuleHttpHeader> = headers
            .iter()
            .map(|(k, v)| abi::ModuleHttpHeader {
                key_ptr: k.as_ptr(),
                key_length: k.len(),
                value_ptr: v.as_ptr(),
                value_length: v.len(),
            })
            .collect();
        // SAFETY: see the module doc; `hs` and the strings it points into outlive the call.
        unsafe {
            abi::envoy_dynamic_module_callback_http_send_response(
                self.filter,
                u32::from(status),
                hs.as_ptr(),
                hs.len(),
                ModuleBuffer::of(body),
                ModuleBuffer::of(details.as_bytes()),
            )
        }
    }
}

impl SharedStore for NativeHost {
    fn get(&mut self, key: &str) -> (Option<Vec<u8>>, Option<u32>) {
        let store = STORE.lock().unwrap_or_else(|p| p.into_inner());
        match store.get(key) {
            Some((v, cas)) => (Some(v.clone()), Some(*cas)),
            None => (None, None),
        }
    }

    fn set(&mut self, key: &str, value: &[u8], cas: Option<u32>) -> Result<(), StoreError> {
        let mut store = STORE.lock().unwrap_or_else(|p| p.into_inner());
        let current = store.get(key).map(|(_, c)| *c);
        if let (Some(want), Some(have)) = (cas, current) {
            if want != 0 && want != have {
                return Err(StoreError::CasMismatch);
            }
        }
        let next = current.unwrap_or(0).wrapping_add(1).max(1);
        store.insert(key.to_string(), (value.to_vec(), next));
        Ok(())
    }
}

impl Host for NativeHost {
    fn request_headers(&mut self) -> Result<Vec<(String, String)>, HostError> {
        self.headers(abi::header_type::REQUEST_HEADER)
            .ok_or(HostError)
    }
    fn request_header(&mut self, name: &str) -> Option<String> {
        self.header(abi::header_type::REQUEST_HEADER, name)
    }
    fn set_request_header(&mut self, name: &str, value: Option<&str>) -> Result<(), HostError> {
        if self.set_header(abi::header_type::REQUEST_HEADER, name, value) {
            Ok(())
        } else {
            Err(HostError)
        }
    }
    fn remove_request_trailers(&mut self) {
        if let Some(trailers) = self.headers(abi::header_type::REQUEST_TRAILER) {
            for (name, _) in &trailers {
                let _ = self.set_header(abi::header_type::REQUEST_TRAILER, name, None);
            }
        }
    }
    fn request_body(&mut self, size: usize) -> Option<Vec<u8>> {
        self.body(true, size)
    }
    fn set_request_body(&mut self, _size: usize, body: &[u8]) -> Result<(), HostError> {
        if self.set_body(true, body) {
            Ok(())
        } else {
            Err(HostError)
        }
    }
    fn response_header(&mut self, name: &str) -> Option<String> {
        self.header(abi::header_type::RESPONSE_HEADER, name)
    }
    fn set_response_header(&mut self, name: &str, value: Option<&str>) {
        let _ = self.set_header(abi::header_type::RESPONSE_HEADER, name, value);
    }
    fn response_body(&mut self, size: usize) -> Option<Vec<u8>> {
        self.body(false, size)
    }
    fn set_response_body(&mut self, _size: usize, body: &[u8]) {
        let _ = self.set_body(false, body);
    }
    fn send_reply(&mut self, status: u16, headers: Vec<(&str, &str)>, body: &[u8]) {
        self.send(status, &headers, body, "itar_filter");
    }
    fn clear_route_cache(&mut self) {
        // SAFETY: see the module doc.
        unsafe { abi::envoy_dynamic_module_callback_http_clear_route_cache(self.filter) }
    }
    /// The proxy-wasm property paths the flow asks for, mapped to ABI attributes (jwt_authn's
    /// metadata comes through [`Host::jwt_metadata`] instead).
    fn property(&mut self, path: &[&str]) -> Option<Vec<u8>> {
        use abi::attribute as a;
        match path {
            ["source", "address"] => self.attribute_string(a::SOURCE_ADDRESS),
            ["connection", "sha256_peer_certificate_digest"] => {
                self.attribute_string(a::CONNECTION_SHA256_PEER_CERTIFICATE_DIGEST)
            }
            ["connection", "uri_san_peer_certificate"] => {
                self.attribute_string(a::CONNECTION_URI_SAN_PEER_CERTIFICATE)
            }
            ["response", "code"] => self.attribute_int(a::RESPONSE_CODE),
            ["response", "total_size"] => self.attribute_int(a::RESPONSE_TOTAL_SIZE),
            _ => None,
        }
    }
    fn jwt_metadata(&mut self, key: &str) -> Option<serde_json::Value> {
        let name = format!("{JWT_STATE_PREFIX}{key}");
        let mut out = EnvoyBuffer::EMPTY;
        // SAFETY: see the module doc.
        let bytes = unsafe {
            abi::envoy_dynamic_module_callback_http_get_filter_state_bytes(
                self.filter,
                ModuleBuffer::of(name.as_bytes()),
                &mut out,
            )
            .then(|| copy(&out))?
        };
        // Absent metadata formats as "-" (or nothing): not JSON, so no claims.
        match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(v @ serde_json::Value::Object(_)) => Some(v),
            _ => None,
        }
    }
    fn now_nanos(&mut self) -> u128 {
        now_nanos()
    }
    fn log(&mut self, level: LogLevel, msg: &str) {
        let level = match level {
            LogLevel::Info => abi::log_level::INFO,
            LogLevel::Error => abi::log_level::ERROR,
            LogLevel::Critical => abi::log_level::CRITICAL,
        };
        log(level, msg);
    }
    fn set_audit_line(&mut self, line: &[u8]) {
        // SAFETY: see the module doc.
        unsafe {
            abi::envoy_dynamic_module_callback_http_set_filter_state_bytes(
                self.filter,
                ModuleBuffer::of(AUDIT_KEY),
                ModuleBuffer::of(line),
            );
        }
    }
    fn with_chain<R>(&mut self, f: impl FnOnce(&mut Chain) -> R) -> R {
        CHAIN.with(|c| match c.try_borrow_mut() {
            Ok(mut c) => f(c.get_or_insert_with(new_chain)),
            // Re-entered (cannot happen on one worker thread): a fresh chain, never a panic.
            Err(_) => f(&mut new_chain()),
        })
    }
}
