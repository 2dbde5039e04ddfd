//! Host glue (wasm32 only): proxy-wasm callbacks -> calls on the engine. No policy logic here.
//!
//! Uses the raw `hostcalls` API, whose calls return errors, instead of the SDK's convenience
//! getters, which panic on a host error (a panic would take the VM down).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, UNIX_EPOCH};

use proxy_wasm::hostcalls as host;
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, BufferType, ContextType, LogLevel, MapType, MetricType, Status};

use crate::audit::{chain_id, rfc3339, AuditRecord, Chain};
use crate::config::FilterConfig;
use crate::engine::quota::{Charge, SharedStore, StoreError};
use crate::engine::response::{ResponseCtx, ResponsePlan, ResponseVerdict, StreamState};
use crate::engine::{Engine, RequestHead, Route, Scratch, Verdict};
use crate::head::HeadPiece;
use crate::identity::{decode_pairs_struct, Identity, PeerCert};
use crate::mask::Masks;
use crate::reply::Reply;
use crate::wire::Format;

/// Header the routes use as `cluster_header`. Owned by the gateway: client copies are dropped.
const ROUTE_HEADER: &str = "x-itar-destination";
/// The client's own x-request-id, copied by Envoy before it generates its own (envoy/gateway.yaml,
/// early header mutation). Gateway-owned like every `x-itar-*`: it never goes upstream.
const CLIENT_REQUEST_ID: &str = "x-itar-client-request-id";
/// Filter state key the access log prints (`%FILTER_STATE(wasm.itar_audit:PLAIN)%`).
const AUDIT_KEY: &str = "itar_audit";
const JWT_METADATA: &str = "envoy.filters.http.jwt_authn";
/// jwt_authn `failed_status_in_metadata` key (envoy/jwt-authn.yaml): why a token was rejected.
const JWT_FAILURE: &str = "jwt_failure";
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
        .and_then(|b| crate::audit::proto_string_field(&b, 1))
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

#[derive(Default)]
struct Root {
    shared: Option<Rc<Shared>>,
}

struct Shared {
    engine: Engine,
    scratch: RefCell<Scratch>,
    /// A candidate policy evaluated beside the enforcing one (audit + metrics only).
    shadow: Option<(Engine, RefCell<Scratch>)>,
    /// The policy's counters and their host metric ids, by index (defined at configure time).
    counters: crate::metrics::Counters,
    metric_ids: Vec<Option<u32>>,
    /// Reused per request: the counters a finished request adds to.
    bumps: RefCell<Vec<(usize, u64)>>,
    /// Counts not yet handed to Envoy, by counter index (see `METRICS_FLUSH`).
    pending: RefCell<Vec<u64>>,
    /// Host gauge for this VM's linear memory size.
    memory_gauge: Option<u32>,
}

impl Shared {
    /// Count `n` on counter `index`, in the VM: `flush` hands it to Envoy.
    fn bump(&self, index: usize, n: u64) {
        if let Ok(mut pending) = self.pending.try_borrow_mut() {
            if let Some(v) = pending.get_mut(index) {
                *v = v.saturating_add(n);
            }
        }
    }

    /// Hand the pending counts to Envoy (one host call per counter that moved).
    fn flush(&self) {
        if let Ok(mut pending) = self.pending.try_borrow_mut() {
            flush_counts(&self.metric_ids, &mut pending);
        }
    }

    /// Report this VM's linear memory (pages of 64 KiB) on the gauge.
    fn record_memory(&self) {
        if let Some(id) = self.memory_gauge {
            let bytes = core::arch::wasm32::memory_size(0) as u64 * 65536;
            let _ = host::record_metric(id, bytes);
        }
    }
}

fn flush_counts(ids: &[Option<u32>], pending: &mut [u64]) {
    for (v, id) in pending.iter_mut().zip(ids) {
        if *v != 0 {
            if let Some(id) = id {
                let _ = host::increment_metric(*id, i64::try_from(*v).unwrap_or(i64::MAX));
            }
            *v = 0;
        }
    }
}

impl Drop for Shared {
    /// A replaced policy's last counts (requests that finished on it after a swap) still count.
    fn drop(&mut self) {
        flush_counts(&self.metric_ids, self.pending.get_mut());
    }
}

thread_local! {
    /// Requests this VM finished (the memory gauge is refreshed every 1024).
    static FINISHED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
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
        match FilterConfig::load(&config) {
            Ok(FilterConfig { engine, shadow }) => {
                log(
                    LogLevel::Info,
                    &format!(
                        "itar-filter: policy {} version {} (sha256 {}) compiled",
                        engine.policy_ref.id, engine.policy_ref.version, engine.policy_ref.digest
                    ),
                );
                let scratch = RefCell::new(engine.new_scratch());
                let names: Vec<String> =
                    engine.destinations.iter().map(|d| d.name.clone()).collect();
                let counters = crate::metrics::Counters::new(&names);
                let metric_ids: Vec<Option<u32>> = counters
                    .names()
                    .iter()
                    .map(|name| host::define_metric(MetricType::Counter, name).ok())
                    .collect();
                if let Some(Some(id)) = metric_ids.get(crate::metrics::POLICY_LOADS) {
                    let _ = host::increment_metric(*id, 1);
                }
                let memory_gauge =
                    host::define_metric(MetricType::Gauge, crate::metrics::MEMORY_GAUGE).ok();
                if let Ok(id) = host::define_metric(MetricType::Gauge, crate::metrics::POLICY_GAUGE)
                {
                    let _ = host::record_metric(
                        id,
                        crate::metrics::digest_prefix(&engine.policy_ref.digest),
                    );
                }
                if let Some(sh) = &shadow {
                    log(
                        LogLevel::Info,
                        &format!(
                            "itar-filter: shadow policy {} version {} (sha256 {}) evaluated beside it",
                            sh.policy_ref.id, sh.policy_ref.version, sh.policy_ref.digest
                        ),
                    );
                }
                let shadow = shadow.map(|e| {
                    let s = RefCell::new(e.new_scratch());
                    (e, s)
                });
                let pending = RefCell::new(vec![0; metric_ids.len()]);
                let shared = Rc::new(Shared {
                    engine,
                    shadow,
                    scratch,
                    counters,
                    metric_ids,
                    bumps: RefCell::new(Vec::with_capacity(16)),
                    pending,
                    memory_gauge,
                });
                shared.record_memory();
                if let Some(old) = self.shared.replace(shared) {
                    old.flush();
                }
                let _ = host::set_tick_period(METRICS_FLUSH);
                true
            }
            Err(e) => {
                log(
                    LogLevel::Critical,
                    &format!("itar-filter: policy rejected: {e}"),
                );
                false
            }
        }
    }

    fn on_tick(&mut self) {
        if let Some(shared) = &self.shared {
            shared.flush();
        }
    }

    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(Http {
            shared: self.shared.clone(),
            audit: None,
            provider: None,
            awaiting_body: false,
            head: Vec::new(),
            pass: None,
            body_size: 0,
            decision_headers: Vec::new(),
            forwarded: None,
            response: Resp::None,
            charges: Vec::new(),
            masks: Masks::default(),
        }))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

struct Http {
    shared: Option<Rc<Shared>>,
    audit: Option<AuditRecord>,
    /// The wire format of an inspected request.
    provider: Option<Format>,
    /// An inspected request's body is awaited (the decision is not made yet).
    awaiting_body: bool,
    /// The parts of the request head that go upstream, scanned with the body.
    head: Vec<HeadPiece>,
    /// A listed path's (destination, cluster), while the end of its (empty) body is awaited.
    pass: Option<(String, String)>,
    /// The request body's size so far.
    body_size: usize,
    /// Response headers telling the client what happened.
    decision_headers: Vec<(&'static str, String)>,
    /// The destination the request was forwarded to (None: the filter answered itself).
    forwarded: Option<String>,
    response: Resp,
    /// Quota charges of an admitted request, settled when the response ends.
    charges: Vec<Charge>,
    /// Values the request masked, until the response takes them.
    masks: Masks,
}

/// proxy-wasm shared data (one store for every worker VM), for quotas.
struct HostStore;

impl SharedStore for HostStore {
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

/// How the response body is being handled.
enum Resp {
    None,
    Buffer(ResponseCtx),
    Refuse(ResponseCtx, &'static str),
    Stream(Box<StreamState>),
    /// The response was replaced; whatever else the upstream sends is dropped.
    Drain,
}

impl Http {
    fn reply(&mut self, r: &Reply) -> Action {
        let mut headers: Vec<(&str, &str)> = vec![("content-type", "application/json")];
        for (k, v) in &r.headers {
            headers.push((k, v.as_str()));
        }
        if let Some(a) = &self.audit {
            headers.push(("x-itar-decision", a.decision.as_str()));
        }
        let _ = host::send_http_response(r.status as u32, headers, Some(&r.body));
        Action::Pause
    }

    /// Verified claims from jwt_authn's metadata, or Missing. Never from request headers: the
    /// headers are only looked at to see whether two different credentials were sent.
    fn identity(&self, engine: &Engine, headers: &[(String, String)]) -> Identity {
        let Some(policy) = &engine.identity else {
            return Identity::missing();
        };
        let meta = |key: &str| {
            host::get_property(vec!["metadata", "filter_metadata", JWT_METADATA, key])
                .ok()
                .flatten()
                .and_then(|b| decode_pairs_struct(&b))
        };
        let claims = meta(&policy.metadata_key);
        let failure = if claims.is_none() {
            meta(JWT_FAILURE)
        } else {
            None
        };
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let conflicting = crate::identity::conflicting_credentials(header);
        // The connection's client certificate, from Envoy's TLS stack (two host calls, only when
        // the policy looks at it).
        let peer = policy.client_certificate.as_ref().and_then(|_| {
            let prop = |name: &str| {
                host::get_property(vec!["connection", name])
                    .ok()
                    .flatten()
                    .and_then(|b| String::from_utf8(b).ok())
                    .filter(|s| !s.is_empty())
            };
            prop("sha256_peer_certificate_digest").map(|sha256| PeerCert {
                sha256,
                uri: prop("uri_san_peer_certificate"),
            })
        });
        Identity::resolve(policy, claims.as_ref(), failure.as_ref(), conflicting, peer)
    }

    fn forward(&mut self, cluster: &str) {
        let _ = host::set_map_value(MapType::HttpRequestHeaders, ROUTE_HEADER, Some(cluster));
        let _ = host::call_foreign_function("clear_route_cache", None);
    }
}

impl Context for Http {}

impl HttpContext for Http {
    fn on_http_request_headers(&mut self, _n: usize, end_of_stream: bool) -> Action {
        let Some(shared) = self.shared.clone() else {
            // No policy compiled in this VM: refuse rather than pass, in the format the path speaks.
            let get = |name: &str| {
                host::get_map_value(MapType::HttpRequestHeaders, name)
                    .ok()
                    .flatten()
                    .unwrap_or_default()
            };
            let provider = Format::for_unknown_path(&get(":path"));
            let r = crate::reply::error_reply(
                provider,
                503,
                "policy_unavailable",
                "gateway policy not loaded",
                &get("x-request-id"),
            );
            self.reply(&r);
            return Action::Pause;
        };
        let engine = &shared.engine;
        let read = host::get_map(MapType::HttpRequestHeaders);
        let headers_read = read.is_ok();
        let headers = read.unwrap_or_default();
        let mut head = RequestHead::default();
        for (k, v) in &headers {
            match k.as_str() {
                ":method" => head.method = v.clone(),
                ":path" => head.path = v.clone(),
                "x-request-id" => head.request_id = v.clone(),
                "content-type" => head.content_type = v.clone(),
                "content-encoding" => head.content_encoding = v.clone(),
                CLIENT_REQUEST_ID => head.client_request_id = Some(v.clone()),
                _ => {}
            }
        }
        head.source = host::get_property(vec!["source", "address"])
            .ok()
            .flatten()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default();
        if let Some(h) = &engine.network.country_header {
            head.country = headers.iter().find(|(k, _)| k == h).map(|(_, v)| v.clone());
        }
        let mut audit = engine.audit_start(&head, rfc3339(now_nanos()));
        if engine.identity.is_some() {
            audit.identity = Some(self.identity(engine, &headers));
        }
        if !headers_read {
            // Without the header map nothing can be said of what would go upstream.
            self.audit = Some(audit);
            return self.internal_error(
                engine,
                Format::Openai,
                "reading the request headers failed",
            );
        }
        head.headers = headers;
        let route = match shared.scratch.try_borrow_mut() {
            Ok(mut scratch) => engine.route(&mut scratch, &head, &mut audit),
            Err(_) => engine.route(&mut engine.new_scratch(), &head, &mut audit),
        };
        self.audit = Some(audit);
        let remove = match &route {
            Route::Refuse(r) => return self.reply(r),
            Route::Inspect { remove, .. } | Route::Passthrough { remove, .. } => remove,
        };
        // Every header that is not forwarded is removed (docs/architecture.md, "Complete
        // mediation"); the ones that go are scanned with the body or here.
        for name in remove {
            if host::set_map_value(MapType::HttpRequestHeaders, name, None).is_err() {
                return self.internal_error(
                    engine,
                    Format::Openai,
                    "removing a request header failed",
                );
            }
        }
        // Upstreams must answer in a form the filter can read.
        let _ = host::set_map_value(
            MapType::HttpRequestHeaders,
            "accept-encoding",
            Some("identity"),
        );
        match route {
            Route::Refuse(_) => Action::Pause,
            Route::Passthrough {
                destination,
                cluster,
                format,
                ..
            } => {
                // The answer is read in the path's format (an MCP server's own event stream).
                self.provider = Some(format);
                if end_of_stream {
                    self.pass_through(destination, &cluster);
                    return Action::Continue;
                }
                // Wait for the end of the request: a listed path carries no body.
                self.pass = Some((destination, cluster));
                Action::Pause
            }
            Route::Inspect {
                provider,
                head: pieces,
                ..
            } => {
                self.provider = Some(provider);
                self.awaiting_body = true;
                self.head = pieces;
                if end_of_stream {
                    return self.inspect(&shared, provider, &[]);
                }
                Action::Pause
            }
        }
    }

    fn on_http_request_body(&mut self, body_size: usize, end_of_stream: bool) -> Action {
        self.body_size = body_size;
        if self.pass.is_some() {
            return self.pass_body(body_size, end_of_stream);
        }
        let (Some(shared), Some(provider), true) =
            (self.shared.clone(), self.provider, self.awaiting_body)
        else {
            return Action::Continue;
        };
        if body_size > shared.engine.limits.max_body_bytes {
            // Refused by size alone, before the rest of the body is buffered.
            let Some(mut audit) = self.audit.take() else {
                return Action::Continue;
            };
            self.awaiting_body = false;
            let reply = shared
                .engine
                .refuse_oversize(provider, body_size, &mut audit);
            self.audit = Some(audit);
            return self.reply(&reply);
        }
        if !end_of_stream {
            return Action::Pause;
        }
        let body = match host::get_buffer(BufferType::HttpRequestBody, 0, body_size) {
            Ok(Some(b)) => b,
            _ => Vec::new(),
        };
        self.inspect(&shared, provider, &body)
    }

    /// Trailers end the request (HTTP/2, chunked HTTP/1.1): the buffered body is complete and is
    /// decided here like any other. Request trailers never go upstream.
    fn on_http_request_trailers(&mut self, _n: usize) -> Action {
        if let Ok(trailers) = host::get_map(MapType::HttpRequestTrailers) {
            for (name, _) in &trailers {
                let _ = host::set_map_value(MapType::HttpRequestTrailers, name, None);
            }
        }
        if self.pass.is_some() {
            return self.pass_body(self.body_size, true);
        }
        let (Some(shared), Some(provider), true) =
            (self.shared.clone(), self.provider, self.awaiting_body)
        else {
            return Action::Continue;
        };
        let body = match host::get_buffer(BufferType::HttpRequestBody, 0, self.body_size) {
            Ok(Some(b)) => b,
            _ => Vec::new(),
        };
        if body.len() != self.body_size {
            return self.internal_error(
                &shared.engine,
                provider,
                "reading the request body failed",
            );
        }
        self.inspect(&shared, provider, &body)
    }

    fn on_http_response_headers(&mut self, _n: usize, end_of_stream: bool) -> Action {
        if let Some(a) = &self.audit {
            let _ = host::set_map_value(
                MapType::HttpResponseHeaders,
                "x-itar-decision",
                Some(&a.decision),
            );
            let _ = host::set_map_value(
                MapType::HttpResponseHeaders,
                "x-itar-policy",
                Some(&a.policy.version),
            );
        }
        for (k, v) in &self.decision_headers {
            let _ = host::set_map_value(MapType::HttpResponseHeaders, k, Some(v));
        }
        // Only responses from upstreams are inspected (the filter's own replies are not).
        let (Some(shared), Some(dest)) = (self.shared.clone(), self.forwarded.clone()) else {
            return Action::Continue;
        };
        let get = |name: &str| {
            host::get_map_value(MapType::HttpResponseHeaders, name)
                .ok()
                .flatten()
                .unwrap_or_default()
        };
        let (content_type, content_encoding) = (get("content-type"), get("content-encoding"));
        let ctx = self.response_ctx(&dest);
        match shared
            .engine
            .response_plan(&content_type, &content_encoding)
        {
            ResponsePlan::Stream => {
                let _ = host::set_map_value(MapType::HttpResponseHeaders, "content-length", None);
                let rpc_id = self.audit.as_ref().and_then(|a| a.rpc_id.clone());
                let capture = self
                    .audit
                    .as_ref()
                    .is_some_and(|a| shared.engine.captures_answer(a));
                let stream = shared
                    .engine
                    .new_stream(ctx)
                    .answering(rpc_id)
                    .capturing(capture);
                self.response = Resp::Stream(Box::new(stream));
                Action::Continue
            }
            ResponsePlan::Buffer => {
                self.response = Resp::Buffer(ctx);
                if end_of_stream {
                    return self.finish_buffered(&shared, 0);
                }
                Action::Pause
            }
            ResponsePlan::Refuse(code) => {
                self.response = Resp::Refuse(ctx, code);
                if end_of_stream {
                    return self.finish_buffered(&shared, 0);
                }
                Action::Pause
            }
        }
    }

    fn on_http_response_body(&mut self, body_size: usize, end_of_stream: bool) -> Action {
        let Some(shared) = self.shared.clone() else {
            return Action::Continue;
        };
        match &mut self.response {
            Resp::None => Action::Continue,
            Resp::Drain => {
                let _ = host::set_buffer(BufferType::HttpResponseBody, 0, body_size, &[]);
                Action::Continue
            }
            Resp::Stream(st) => {
                let chunk = match host::get_buffer(BufferType::HttpResponseBody, 0, body_size) {
                    Ok(Some(b)) => b,
                    _ => Vec::new(),
                };
                let out = match shared.scratch.try_borrow_mut() {
                    Ok(mut scratch) => {
                        shared
                            .engine
                            .stream_chunk(&mut scratch, st, &chunk, end_of_stream)
                    }
                    Err(_) => shared.engine.stream_chunk(
                        &mut shared.engine.new_scratch(),
                        st,
                        &chunk,
                        end_of_stream,
                    ),
                };
                if out != chunk {
                    let _ = host::set_buffer(BufferType::HttpResponseBody, 0, body_size, &out);
                }
                Action::Continue
            }
            Resp::Buffer(_) | Resp::Refuse(..) => {
                if body_size > shared.engine.limits.max_response_bytes || end_of_stream {
                    return self.finish_buffered(&shared, body_size);
                }
                Action::Pause
            }
        }
    }

    fn on_log(&mut self) {
        let Some(mut audit) = self.audit.take() else {
            return;
        };
        match (&mut self.response, &self.shared) {
            (Resp::Stream(st), Some(shared)) => shared.engine.finish_stream(st, &mut audit),
            (Resp::Buffer(_) | Resp::Refuse(..), _) => {
                // The response ended before its body was complete (upstream reset, client gone).
                audit.response_decision = Some("incomplete".into());
                audit.response_reason = Some("response_ended_early".into());
            }
            _ => {}
        }
        if let (Some(shared), Some(u)) = (&self.shared, audit.usage) {
            if !self.charges.is_empty() {
                let actual = u.input_tokens.unwrap_or(0) + u.output_tokens.unwrap_or(0);
                shared.engine.settle(&mut HostStore, &self.charges, actual);
            }
        }
        if let Ok(Some(code)) = host::get_property(vec!["response", "code"]) {
            audit.response_status = le_u64(&code) as u16;
        }
        if let Ok(Some(size)) = host::get_property(vec!["response", "total_size"]) {
            audit.response_bytes = le_u64(&size) as usize;
        }
        if audit.decision == "pending" {
            // The request ended before the filter decided (client gone, upstream error on headers).
            audit.decision = "incomplete".into();
            audit.reason = "request_ended_before_decision".into();
        }
        if let Some(shared) = &self.shared {
            if let Ok(mut bumps) = shared.bumps.try_borrow_mut() {
                shared.counters.bumps(&audit, &mut bumps);
                for &(i, n) in bumps.iter() {
                    shared.bump(i, n);
                }
            }
            let n = FINISHED.with(|f| {
                f.set(f.get().wrapping_add(1));
                f.get()
            });
            if n.is_multiple_of(1024) {
                shared.record_memory();
            }
        }
        audit.finish();
        // Seal into this VM's hash chain (docs/audit.md) and hand the line to the access log.
        let line = CHAIN.with(|c| {
            let mut c = c.borrow_mut();
            let chain = c.get_or_insert_with(new_chain);
            chain.seal(&mut audit)
        });
        if let (Some(shared), Some(e)) = (&self.shared, &audit.capture_error) {
            shared.bump(crate::metrics::SEAL_FAILURES, 1);
            log(
                LogLevel::Error,
                &format!(
                    "itar-filter: request {}: captured texts dropped: {e}",
                    audit.request_id
                ),
            );
        }
        if let Ok(line) = line {
            let _ = host::set_property(vec![AUDIT_KEY], Some(&line));
        }
    }
}

impl Http {
    /// A listed path's body phase: anything but an empty body is refused.
    fn pass_body(&mut self, body_size: usize, end_of_stream: bool) -> Action {
        if body_size > 0 {
            self.pass = None;
            let (Some(shared), Some(mut audit)) = (self.shared.clone(), self.audit.take()) else {
                return Action::Pause;
            };
            let reply = shared.engine.refuse_passthrough_body(&mut audit, body_size);
            self.audit = Some(audit);
            return self.reply(&reply);
        }
        if !end_of_stream {
            return Action::Pause;
        }
        match self.pass.take() {
            Some((destination, cluster)) => {
                self.pass_through(destination, &cluster);
                Action::Continue
            }
            None => Action::Pause,
        }
    }

    fn pass_through(&mut self, destination: String, cluster: &str) {
        self.forwarded = Some(destination.clone());
        self.decision_headers
            .push(("x-itar-destination", destination));
        self.forward(cluster);
    }

    fn inspect(&mut self, shared: &Shared, provider: Format, body: &[u8]) -> Action {
        // Decided once: later callbacks (trailers after a body with end of stream) pass.
        self.awaiting_body = false;
        let head = std::mem::take(&mut self.head);
        let engine = &shared.engine;
        let Some(mut audit) = self.audit.take() else {
            return Action::Continue;
        };
        // Sealed capture: the record's randomness is drawn before anything is decided or sent;
        // without it the request is refused (it would otherwise pass unrecorded).
        if let Some(sealer) = &engine.sealer {
            match sealer.draw() {
                Ok(seed) => audit.seal_seed = Some(seed),
                Err(e) => {
                    log(
                        LogLevel::Error,
                        &format!("itar-filter: sealed capture unavailable: {e}"),
                    );
                    let reply = engine.seal_refusal(provider, &mut audit, &e);
                    self.audit = Some(audit);
                    return self.reply(&reply);
                }
            }
        }
        let identity = audit.identity.clone().unwrap_or_else(Identity::missing);
        let t0 = now_nanos();
        let mut fresh_scratch;
        let mut borrowed = shared.scratch.try_borrow_mut();
        let scratch: &mut Scratch = match borrowed.as_deref_mut() {
            Ok(s) => s,
            Err(_) => {
                fresh_scratch = engine.new_scratch();
                &mut fresh_scratch
            }
        };
        let mut shadow_borrow = shared.shadow.as_ref().map(|(e, s)| (e, s.try_borrow_mut()));
        let shadow = match shadow_borrow.as_mut() {
            Some((e, Ok(s))) => Some((*e, &mut **s)),
            _ => None,
        };
        let (verdict, disagree) = crate::config::inspect(
            engine, shadow, scratch, provider, body, &head, &identity, &mut audit,
        );
        if disagree {
            shared.bump(crate::metrics::SHADOW_DISAGREEMENTS, 1);
        }
        audit.scan_us = Some(((now_nanos().saturating_sub(t0)) / 1000) as u64);
        self.audit = Some(audit);
        match verdict {
            Verdict::Refuse(r) => self.reply(&r),
            Verdict::Forward {
                destination,
                cluster,
                body: new_body,
                path,
                masks,
            } => {
                self.masks = masks;
                if engine.has_quotas() {
                    let Some(mut audit) = self.audit.take() else {
                        return Action::Continue;
                    };
                    let now = (now_nanos() / 1_000_000_000) as u64;
                    let admitted = engine.admit_request(
                        &mut HostStore,
                        provider,
                        &mut audit,
                        &destination,
                        now,
                    );
                    self.audit = Some(audit);
                    match admitted {
                        Ok(charges) => self.charges = charges,
                        Err(r) => return self.reply(&r),
                    }
                }
                if let Some(a) = &self.audit {
                    for (k, v) in engine.rate_limit_headers(a, &destination) {
                        let _ = host::set_map_value(MapType::HttpRequestHeaders, k, Some(&v));
                    }
                }
                // A rewrite the host refuses must not leave the original going upstream.
                if let Some(b) = new_body {
                    let len = b.len().to_string();
                    let done = host::set_buffer(BufferType::HttpRequestBody, 0, body.len(), &b)
                        .and_then(|()| {
                            host::set_map_value(
                                MapType::HttpRequestHeaders,
                                "content-length",
                                Some(&len),
                            )
                        });
                    if done.is_err() {
                        return self.internal_error(
                            engine,
                            provider,
                            "rewriting the request body failed",
                        );
                    }
                }
                if let Some(p) = path {
                    if host::set_map_value(MapType::HttpRequestHeaders, ":path", Some(&p)).is_err()
                    {
                        return self.internal_error(
                            engine,
                            provider,
                            "rewriting the request path failed",
                        );
                    }
                }
                self.forwarded = Some(destination.clone());
                self.decision_headers
                    .push(("x-itar-destination", destination));
                self.forward(&cluster);
                Action::Continue
            }
        }
    }

    fn internal_error(&mut self, engine: &Engine, provider: Format, msg: &str) -> Action {
        let mut audit = self.audit.take().unwrap_or_default();
        let reply = engine.internal_error(provider, &mut audit, msg);
        self.audit = Some(audit);
        self.reply(&reply)
    }

    fn response_ctx(&mut self, destination: &str) -> ResponseCtx {
        let audit = self.audit.as_ref();
        ResponseCtx {
            provider: self.provider.unwrap_or(Format::Openai),
            destination: destination.to_string(),
            identity: audit
                .and_then(|a| a.identity.clone())
                .unwrap_or_else(Identity::missing),
            request_id: audit.map(|a| a.request_id.clone()).unwrap_or_default(),
            masks: std::mem::take(&mut self.masks),
        }
    }

    /// Replace the (paused) response with `body` and, if given, a new status.
    fn replace_response(&self, size: usize, status: Option<u16>, body: &[u8]) {
        if let Some(st) = status {
            let _ = host::set_map_value(
                MapType::HttpResponseHeaders,
                ":status",
                Some(&st.to_string()),
            );
            let _ = host::set_map_value(
                MapType::HttpResponseHeaders,
                "content-type",
                Some("application/json"),
            );
            let _ = host::set_map_value(MapType::HttpResponseHeaders, "content-encoding", None);
        }
        let _ = host::set_buffer(BufferType::HttpResponseBody, 0, size, body);
        let len = body.len().to_string();
        let _ = host::set_map_value(MapType::HttpResponseHeaders, "content-length", Some(&len));
    }

    /// End of a buffered response: inspect it whole and pass, rewrite or replace it.
    fn finish_buffered(&mut self, shared: &Shared, size: usize) -> Action {
        let body = match host::get_buffer(BufferType::HttpResponseBody, 0, size) {
            Ok(Some(b)) => b,
            _ => Vec::new(),
        };
        let resp = std::mem::replace(&mut self.response, Resp::None);
        let Some(mut audit) = self.audit.take() else {
            return Action::Continue;
        };
        let engine = &shared.engine;
        match resp {
            Resp::Buffer(ctx) => {
                let verdict = match shared.scratch.try_borrow_mut() {
                    Ok(mut scratch) => {
                        engine.inspect_response(&mut scratch, &ctx, &body, &mut audit)
                    }
                    Err(_) => {
                        engine.inspect_response(&mut engine.new_scratch(), &ctx, &body, &mut audit)
                    }
                };
                match verdict {
                    ResponseVerdict::Pass => {}
                    ResponseVerdict::Rewrite(b) => self.replace_response(size, None, &b),
                    ResponseVerdict::Block(r) => {
                        self.replace_response(size, Some(r.status), &r.body);
                        self.response = Resp::Drain;
                    }
                }
            }
            Resp::Refuse(ctx, code) => {
                let r = engine.response_refusal(
                    &ctx,
                    code,
                    "the model's response is content-encoded and cannot be inspected",
                    &mut audit,
                );
                self.replace_response(size, Some(r.status), &r.body);
                self.response = Resp::Drain;
            }
            other => self.response = other,
        }
        self.audit = Some(audit);
        Action::Continue
    }
}

fn le_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    for (i, x) in b.iter().take(8).enumerate() {
        a[i] = *x;
    }
    u64::from_le_bytes(a)
}
