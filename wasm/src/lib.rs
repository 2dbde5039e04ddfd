//! The proxy-wasm host adapter (itar_wasm.wasm; wasm32 only, empty for any other target):
//! proxy-wasm callbacks -> the per-request flow ([`itar_filter::flow`]), and [`flow::Host`] over
//! raw host calls. No policy or request logic here: the root context loads the policy and hands
//! counters to Envoy; each HTTP callback forwards to its [`Exchange`].
//!
//! Uses the raw `hostcalls` API, whose calls return errors, instead of the SDK's convenience
//! getters, which panic on a host error (a panic would take the VM down).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, UNIX_EPOCH};

use proxy_wasm::hostcalls as host;
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, BufferType, ContextType, LogLevel, MapType, MetricType, Status};

use itar_filter::audit::{chain_id, Chain};
use itar_filter::config::FilterConfig;
use itar_filter::engine::quota::{SharedStore, StoreError};
use itar_filter::flow::{self, Exchange, HostError, Loaded, Step};

/// Filter state key the access log prints (`%FILTER_STATE(wasm.itar_audit:PLAIN)%`).
const AUDIT_KEY: &str = "itar_audit";
/// How often a VM hands its counters to Envoy. Counting in the VM and flushing on a timer saves
/// about five host calls per request (~2-3 us of proxy CPU each, docs/performance.md); counters
/// lag by at most this much (docs/observability.md).
const METRICS_FLUSH: Duration = Duration::from_millis(500);

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Info);
    proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> { Box::new(Root::default()) });
}}

thread_local! {
    /// This VM's audit hash chain (one per worker VM; survives policy swaps).
    static CHAIN: RefCell<Option<Chain>> = const { RefCell::new(None) };
    /// Requests this VM finished (the memory gauge is refreshed every 1024).
    static FINISHED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The Envoy node's id (the bootstrap's `node.id`): the field path where the host resolves it,
/// else field 1 (`id`) of the serialized `Node` message; "" when neither answers.
fn node_id() -> String {
    let prop = |path: Vec<&str>| host::get_property(path).ok().flatten();
    for path in [vec!["node", "id"], vec!["xds", "node", "id"]] {
        if let Some(id) = prop(path).and_then(|b| String::from_utf8(b).ok()) {
            if !id.is_empty() {
                return id;
            }
        }
    }
    prop(vec!["node"])
        .or_else(|| prop(vec!["xds", "node"]))
        .and_then(|b| itar_filter::audit::proto_string_field(&b, 1))
        .unwrap_or_default()
}

fn new_chain() -> Chain {
    let node = node_id();
    let nanos = now_nanos();
    // Entropy that differs between VMs started in the same microsecond: std's RandomState is
    // seeded from the host's random source (WASI random_get, which Envoy provides).
    let random = {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(nanos);
        h.finish()
    };
    let entropy = random.to_le_bytes();
    Chain::new(chain_id(&node, nanos, &entropy))
}

fn log(level: LogLevel, msg: &str) {
    let _ = host::log(level, msg);
}

fn now_nanos() -> u128 {
    host::get_current_time()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// A loaded policy and the host metric ids its counters report to.
struct Shared {
    loaded: Loaded,
    /// The policy's counters' host metric ids, by counter index (defined at configure time).
    metric_ids: Vec<Option<u32>>,
    /// Host gauge for this VM's linear memory size.
    memory_gauge: Option<u32>,
}

impl Shared {
    /// Hand the pending counts to Envoy (one host call per counter that moved).
    fn flush(&self) {
        self.loaded.drain(|i, n| {
            if let Some(Some(id)) = self.metric_ids.get(i) {
                let _ = host::increment_metric(*id, i64::try_from(n).unwrap_or(i64::MAX));
            }
        });
    }

    /// Report this VM's linear memory (pages of 64 KiB) on the gauge.
    fn record_memory(&self) {
        if let Some(id) = self.memory_gauge {
            let bytes = core::arch::wasm32::memory_size(0) as u64 * 65536;
            let _ = host::record_metric(id, bytes);
        }
    }
}

impl Drop for Shared {
    /// A replaced policy's last counts (requests that finished on it after a swap) still count.
    fn drop(&mut self) {
        self.flush();
    }
}

#[derive(Default)]
struct Root {
    shared: Option<Rc<Shared>>,
}

impl Context for Root {}

impl RootContext for Root {
    fn on_configure(&mut self, _size: usize) -> bool {
        let config = match host::get_buffer(BufferType::PluginConfiguration, 0, usize::MAX) {
            Ok(Some(c)) => c,
            _ => {
                log(
                    LogLevel::Critical,
                    "itar-filter: no policy in the plugin configuration; refusing it",
                );
                return false;
            }
        };
        let config = match FilterConfig::load_owned(config) {
            Ok(c) => c,
            Err(e) => {
                log(
                    LogLevel::Critical,
                    &format!("itar-filter: policy rejected: {e}"),
                );
                return false;
            }
        };
        let p = &config.engine.policy_ref;
        log(
            LogLevel::Info,
            &format!(
                "itar-filter: policy {} version {} (sha256 {}) compiled",
                p.id, p.version, p.digest
            ),
        );
        if let Some(sh) = &config.shadow {
            log(
                LogLevel::Info,
                &format!(
                    "itar-filter: shadow policy {} version {} (sha256 {}) evaluated beside it",
                    sh.policy_ref.id, sh.policy_ref.version, sh.policy_ref.digest
                ),
            );
        }
        let loaded = Loaded::new(config);
        let metric_ids: Vec<Option<u32>> = loaded
            .counters
            .names()
            .iter()
            .map(|name| host::define_metric(MetricType::Counter, name).ok())
            .collect();
        if let Some(Some(id)) = metric_ids.get(itar_filter::metrics::POLICY_LOADS) {
            let _ = host::increment_metric(*id, 1);
        }
        let memory_gauge =
            host::define_metric(MetricType::Gauge, itar_filter::metrics::MEMORY_GAUGE).ok();
        if let Ok(id) = host::define_metric(MetricType::Gauge, itar_filter::metrics::POLICY_GAUGE) {
            let digest = &loaded.engine.policy_ref.digest;
            let _ = host::record_metric(id, itar_filter::metrics::digest_prefix(digest));
        }
        let shared = Rc::new(Shared {
            loaded,
            metric_ids,
            memory_gauge,
        });
        shared.record_memory();
        if let Some(old) = self.shared.replace(shared) {
            old.flush();
        }
        let _ = host::set_tick_period(METRICS_FLUSH);
        true
    }

    fn on_tick(&mut self) {
        if let Some(shared) = &self.shared {
            shared.flush();
        }
    }

    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(Http {
            shared: self.shared.clone(),
            exchange: Exchange::new(),
        }))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

/// One HTTP stream: the policy it started under and its exchange.
struct Http {
    shared: Option<Rc<Shared>>,
    exchange: Exchange,
}

fn action(step: Step) -> Action {
    match step {
        Step::Continue => Action::Continue,
        Step::Pause => Action::Pause,
    }
}

impl Context for Http {}

impl HttpContext for Http {
    fn on_http_request_headers(&mut self, _n: usize, end_of_stream: bool) -> Action {
        let loaded = self.shared.as_deref().map(|s| &s.loaded);
        action(
            self.exchange
                .on_request_headers(loaded, &mut ProxyWasm, end_of_stream),
        )
    }

    fn on_http_request_body(&mut self, body_size: usize, end_of_stream: bool) -> Action {
        let loaded = self.shared.as_deref().map(|s| &s.loaded);
        action(
            self.exchange
                .on_request_body(loaded, &mut ProxyWasm, body_size, end_of_stream),
        )
    }

    fn on_http_request_trailers(&mut self, _n: usize) -> Action {
        let loaded = self.shared.as_deref().map(|s| &s.loaded);
        action(self.exchange.on_request_trailers(loaded, &mut ProxyWasm))
    }

    fn on_http_response_headers(&mut self, _n: usize, end_of_stream: bool) -> Action {
        let loaded = self.shared.as_deref().map(|s| &s.loaded);
        action(
            self.exchange
                .on_response_headers(loaded, &mut ProxyWasm, end_of_stream),
        )
    }

    fn on_http_response_body(&mut self, body_size: usize, end_of_stream: bool) -> Action {
        let loaded = self.shared.as_deref().map(|s| &s.loaded);
        action(
            self.exchange
                .on_response_body(loaded, &mut ProxyWasm, body_size, end_of_stream),
        )
    }

    fn on_log(&mut self) {
        let loaded = self.shared.as_deref().map(|s| &s.loaded);
        let had_audit = self.exchange.audit().is_some();
        self.exchange.on_log(loaded, &mut ProxyWasm);
        if let (true, Some(shared)) = (had_audit, &self.shared) {
            let n = FINISHED.with(|f| {
                f.set(f.get().wrapping_add(1));
                f.get()
            });
            if n.is_multiple_of(1024) {
                shared.record_memory();
            }
        }
    }
}

/// [`flow::Host`] over raw proxy-wasm host calls: one method, one host call (the trailers two).
struct ProxyWasm;

impl SharedStore for ProxyWasm {
    fn get(&mut self, key: &str) -> (Option<Vec<u8>>, Option<u32>) {
        host::get_shared_data(key).unwrap_or((None, None))
    }
    fn set(&mut self, key: &str, value: &[u8], cas: Option<u32>) -> Result<(), StoreError> {
        match host::set_shared_data(key, Some(value), cas) {
            Ok(()) => Ok(()),
            Err(Status::CasMismatch) => Err(StoreError::CasMismatch),
            Err(_) => Err(StoreError::Failed),
        }
    }
}

impl flow::Host for ProxyWasm {
    fn request_headers(&mut self) -> Result<Vec<(String, String)>, HostError> {
        host::get_map(MapType::HttpRequestHeaders).map_err(|_| HostError)
    }
    fn request_header(&mut self, name: &str) -> Option<String> {
        host::get_map_value(MapType::HttpRequestHeaders, name)
            .ok()
            .flatten()
    }
    fn set_request_header(&mut self, name: &str, value: Option<&str>) -> Result<(), HostError> {
        host::set_map_value(MapType::HttpRequestHeaders, name, value).map_err(|_| HostError)
    }
    fn remove_request_trailers(&mut self) {
        if let Ok(trailers) = host::get_map(MapType::HttpRequestTrailers) {
            for (name, _) in &trailers {
                let _ = host::set_map_value(MapType::HttpRequestTrailers, name, None);
            }
        }
    }
    fn request_body(&mut self, size: usize) -> Option<Vec<u8>> {
        host::get_buffer(BufferType::HttpRequestBody, 0, size)
            .ok()
            .flatten()
    }
    fn set_request_body(&mut self, size: usize, body: &[u8]) -> Result<(), HostError> {
        host::set_buffer(BufferType::HttpRequestBody, 0, size, body).map_err(|_| HostError)
    }
    fn response_header(&mut self, name: &str) -> Option<String> {
        host::get_map_value(MapType::HttpResponseHeaders, name)
            .ok()
            .flatten()
    }
    fn set_response_header(&mut self, name: &str, value: Option<&str>) {
        let _ = host::set_map_value(MapType::HttpResponseHeaders, name, value);
    }
    fn response_body(&mut self, size: usize) -> Option<Vec<u8>> {
        host::get_buffer(BufferType::HttpResponseBody, 0, size)
            .ok()
            .flatten()
    }
    fn set_response_body(&mut self, size: usize, body: &[u8]) {
        let _ = host::set_buffer(BufferType::HttpResponseBody, 0, size, body);
    }
    fn send_reply(&mut self, status: u16, headers: Vec<(&str, &str)>, body: &[u8]) {
        let _ = host::send_http_response(u32::from(status), headers, Some(body));
    }
    fn clear_route_cache(&mut self) {
        let _ = host::call_foreign_function("clear_route_cache", None);
    }
    fn property(&mut self, path: &[&str]) -> Option<Vec<u8>> {
        host::get_property(path.to_vec()).ok().flatten()
    }
    fn now_nanos(&mut self) -> u128 {
        now_nanos()
    }
    fn log(&mut self, level: flow::LogLevel, msg: &str) {
        let level = match level {
            flow::LogLevel::Info => LogLevel::Info,
            flow::LogLevel::Error => LogLevel::Error,
            flow::LogLevel::Critical => LogLevel::Critical,
        };
        log(level, msg);
    }
    fn set_audit_line(&mut self, line: &[u8]) {
        let _ = host::set_property(vec![AUDIT_KEY], Some(line));
    }
    fn with_chain<R>(&mut self, f: impl FnOnce(&mut Chain) -> R) -> R {
        CHAIN.with(|c| {
            let mut c = c.borrow_mut();
            f(c.get_or_insert_with(new_chain))
        })
    }
}
