//! The ITAR gateway filter as an Envoy dynamic module: the same core (`itar-filter`'s request
//! flow, engines and audit) behind a second host adapter, this one over Envoy's dynamic-module C
//! ABI instead of proxy-wasm. No VM: the module is a shared library loaded into Envoy's process
//! (docs/architecture.md, "The native adapter"; docs/deployment.md, "Native module").
//!
//! - [`abi`]: the hand-written declarations of the ABI (the only `extern` items);
//! - [`host`]: [`itar_filter::flow::Host`] over the ABI callbacks;
//! - this file: the event hooks Envoy calls (`envoy_dynamic_module_on_*`), each forwarding to
//!   the same flow functions the proxy-wasm adapter (`itar-wasm`) calls.
//!
//! Threads: Envoy creates a filter config on the main thread and runs each stream on one worker
//! thread. The engines keep per-request scratch that is not shared between threads, so each
//! worker has its own compiled copy of the policy ([`WorkerLoaded`]), as each Wasm VM does: the
//! config compiles one up front (which also refuses a bad policy before it serves) and a
//! background thread compiles the others ([`precompile`]); a worker takes one on its first stream.
//!
//! Failure: every hook runs under `catch_unwind`. A panic in a stream's hook answers that
//! stream with a 500 in the client's API format and stops it (never continues it); a panic while
//! loading a config refuses the config. The module is built with `panic = "unwind"` (profile
//! `native`) for this reason.

pub mod abi;
pub mod host;

use std::cell::RefCell;
use std::ffi::{c_char, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use itar_filter::config::FilterConfig;
use itar_filter::flow::{Exchange, Loaded, Step};
use itar_filter::wire::Format;

use abi::{ConfigEnvoyPtr, EnvoyBuffer, FilterEnvoyPtr, ModuleBuffer};
use host::NativeHost;

/// What `envoy_dynamic_module_on_program_init` returns: the ABI version string of the header
/// these bindings follow: Envoy 1.40 says `v0.2.0` (it logs a warning when the string differs from
/// its own, and loads the module anyway).
static ABI_VERSION: &[u8] = b"v0.2.0\0";

/// Ids of live filter configs; a worker drops its compiled copy of a config no longer listed.
static LIVE: Mutex<Vec<u64>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// One filter config (one policy): shared by every worker, read-only after creation.
struct Config {
    id: u64,
    /// The plugin configuration as Envoy gave it (the policy JSON or its envelope).
    policy: Arc<Vec<u8>>,
    /// Compiled copies not yet taken by a worker: the one compiled at load time, then those a
    /// background thread compiles for the other workers (so no request waits for a compile).
    spare: Arc<Mutex<Vec<FilterConfig>>>,
    /// Copies the background thread has still to compile (0 once it is done or gave up).
    pending: Arc<AtomicUsize>,
    /// Envoy counter ids, by the core's counter index.
    counters: Vec<Option<usize>>,
}

thread_local! {
    /// This worker's compiled copies, by config id.
    static WORKER: RefCell<Vec<(u64, Rc<Loaded>)>> = const { RefCell::new(Vec::new()) };
}

/// This worker's compiled copy of `config` (compiled now if it has none; `None` if the policy
/// no longer compiles, which cannot happen for a config that loaded).
struct WorkerLoaded;

impl WorkerLoaded {
    fn get(config: &Config) -> Option<Rc<Loaded>> {
        WORKER.with(|w| {
            let mut w = w.try_borrow_mut().ok()?;
            if let Some((_, l)) = w.iter().find(|(id, _)| *id == config.id) {
                return Some(l.clone());
            }
            // A miss: forget the copies of configs Envoy has destroyed since (policy swaps).
            if let Ok(live) = LIVE.lock() {
                w.retain(|(id, _)| live.contains(id));
            }
            let compiled = match config.take_spare() {
                Some(c) => c,
                // The background thread gave up (or is far too slow): compile here.
                None => FilterConfig::load(&config.policy).ok()?,
            };
            let loaded = Rc::new(Loaded::new(compiled));
            w.push((config.id, loaded.clone()));
            Some(loaded)
        })
    }
}

impl Config {
    /// A spare compiled copy, waiting (without burning CPU a compile of its own would take from
    /// the background thread) while the background thread is still compiling one.
    fn take_spare(&self) -> Option<FilterConfig> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(c) = self.spare.lock().ok().and_then(|mut f| f.pop()) {
                return Some(c);
            }
            if self.pending.load(Ordering::Acquire) == 0 || Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// One stream.
struct Filter {
    config: Arc<Config>,
    loaded: Option<Rc<Loaded>>,
    exchange: Exchange,
    /// A hook panicked and the stream was answered with a 500: every later hook stops it.
    failed: bool,
}

/// Run a stream hook under the panic guard: a panic answers the stream with a 500 (in the API
/// format its path names) and returns `stop`; after that every hook returns `stop`.
fn guarded(
    envoy: FilterEnvoyPtr,
    module: *mut c_void,
    stop: u32,
    hook: impl FnOnce(&mut Filter, &mut NativeHost) -> u32,
) -> u32 {
    if module.is_null() {
        return stop;
    }
    // SAFETY: `module` is the pointer `envoy_dynamic_module_on_http_filter_new` returned
    // (a leaked `Box<Filter>`), used by one worker thread only and alive until
    // `envoy_dynamic_module_on_http_filter_destroy`.
    let filter = unsafe { &mut *(module as *mut Filter) };
    if filter.failed {
        return stop;
    }
    let mut host = NativeHost { filter: envoy };
    let result = catch_unwind(AssertUnwindSafe(|| hook(filter, &mut host)));
    match result {
        Ok(status) => status,
        Err(_) => {
            filter.failed = true;
            let _ = catch_unwind(AssertUnwindSafe(|| fail_closed(filter, &mut host)));
            stop
        }
    }
}

/// The 500 a panicking hook answers with.
fn fail_closed(filter: &Filter, host: &mut NativeHost) {
    use itar_filter::flow::Host;
    let path = host.request_header(":path").unwrap_or_default();
    let format = Format::for_unknown_path(&path);
    let request_id = filter
        .exchange
        .audit()
        .map(|a| a.request_id.clone())
        .unwrap_or_default();
    let reply = itar_filter::reply::error_reply(
        format,
        500,
        "filter_failed",
        "the gateway filter failed on this request; it was not forwarded",
        &request_id,
    );
    let mut headers: Vec<(&str, &str)> = vec![("content-type", "application/json")];
    for (k, v) in &reply.headers {
        headers.push((k, v.as_str()));
    }
    headers.push(("x-itar-decision", "error"));
    host.send(reply.status, &headers, &reply.body, "itar_filter_failed");
    host::log(
        abi::log_level::CRITICAL,
        "itar-filter: a filter callback panicked; the request was answered with 500",
    );
}

fn headers_status(step: Step) -> u32 {
    match step {
        Step::Continue => abi::headers_status::CONTINUE,
        Step::Pause => abi::headers_status::STOP_ITERATION,
    }
}

fn body_status(step: Step) -> u32 {
    match step {
        Step::Continue => abi::body_status::CONTINUE,
        Step::Pause => abi::body_status::STOP_ITERATION_AND_BUFFER,
    }
}

fn trailers_status(step: Step) -> u32 {
    match step {
        Step::Continue => abi::trailers_status::CONTINUE,
        Step::Pause => abi::trailers_status::STOP_ITERATION,
    }
}

// ---- Event hooks (Envoy calls these; names and parameters are the ABI's) ----

/// # Safety
/// Called by Envoy once, when it loads the module.
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_program_init() -> *const c_char {
    ABI_VERSION.as_ptr() as *const c_char
}

/// A filter config: compile the policy (refused, with a critical log line, if it does not).
///
/// # Safety
/// Envoy passes its config pointer and two buffers valid for this call.
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_config_new(
    config_envoy: ConfigEnvoyPtr,
    _name: EnvoyBuffer,
    config: EnvoyBuffer,
) -> *const c_void {
    let bytes = if config.ptr.is_null() || config.length == 0 {
        Vec::new()
    } else {
        std::slice::from_raw_parts(config.ptr, config.length).to_vec()
    };
    catch_unwind(AssertUnwindSafe(|| config_new(config_envoy, bytes))).unwrap_or(std::ptr::null())
}

fn config_new(config_envoy: ConfigEnvoyPtr, bytes: Vec<u8>) -> *const c_void {
    if bytes.is_empty() {
        host::log(
            abi::log_level::CRITICAL,
            "itar-filter: no policy in the filter configuration; refusing it",
        );
        return std::ptr::null();
    }
    let compiled = match FilterConfig::load(&bytes) {
        Ok(c) => c,
        Err(e) => {
            host::log(
                abi::log_level::CRITICAL,
                &format!("itar-filter: policy rejected: {e}"),
            );
            return std::ptr::null();
        }
    };
    let p = &compiled.engine.policy_ref;
    host::log(
        abi::log_level::INFO,
        &format!(
            "itar-filter (native): policy {} version {} (sha256 {}) compiled",
            p.id, p.version, p.digest
        ),
    );
    // The counter names come from the policy (one per destination): a throwaway Loaded would
    // cost a second compile, so they are read from the core's own list builder.
    let names: Vec<String> = compiled
        .engine
        .destinations
        .iter()
        .map(|d| d.name.clone())
        .collect();
    let counter_names = itar_filter::metrics::Counters::new(&names);
    let counters: Vec<Option<usize>> = counter_names
        .names()
        .iter()
        .map(|name| {
            let mut id = 0usize;
            // SAFETY: the config pointer is Envoy's for this hook; stats may be defined now.
            let r = unsafe {
                abi::envoy_dynamic_module_callback_http_filter_config_define_counter(
                    config_envoy,
                    ModuleBuffer::of(name.as_bytes()),
                    std::ptr::null(),
                    0,
                    &mut id,
                )
            };
            (r == abi::METRICS_SUCCESS).then_some(id)
        })
        .collect();
    if let Some(Some(loads)) = counters.get(itar_filter::metrics::POLICY_LOADS) {
        // SAFETY: the config pointer is Envoy's for this hook; the id was just defined on it.
        unsafe {
            abi::envoy_dynamic_module_callback_http_filter_config_increment_counter(
                config_envoy,
                *loads,
                std::ptr::null(),
                0,
                1,
            );
        }
    }
    // The policy in force, as the Wasm build reports it (first 8 bytes of its digest).
    let mut gauge = 0usize;
    // SAFETY: the config pointer is Envoy's for this hook; stats may be defined now.
    unsafe {
        let name = itar_filter::metrics::POLICY_GAUGE.as_bytes();
        if abi::envoy_dynamic_module_callback_http_filter_config_define_gauge(
            config_envoy,
            ModuleBuffer::of(name),
            std::ptr::null(),
            0,
            &mut gauge,
        ) == abi::METRICS_SUCCESS
        {
            abi::envoy_dynamic_module_callback_http_filter_config_set_gauge(
                config_envoy,
                gauge,
                std::ptr::null(),
                0,
                itar_filter::metrics::digest_prefix(&compiled.engine.policy_ref.digest),
            );
        }
    }
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut live) = LIVE.lock() {
        live.push(id);
    }
    let policy = Arc::new(bytes);
    let spare = Arc::new(Mutex::new(vec![compiled]));
    let pending = Arc::new(AtomicUsize::new(0));
    precompile(policy.clone(), spare.clone(), pending.clone());
    let config = Arc::new(Config {
        id,
        policy,
        spare,
        pending,
        counters,
    });
    Arc::into_raw(config) as *const c_void
}

/// Compile a copy of the policy for each further worker, off Envoy's threads. The worker count
/// is taken as the machine's parallelism (Envoy's default `--concurrency`), at most 16; a worker
/// that finds no spare copy compiles its own.
fn precompile(
    policy: Arc<Vec<u8>>,
    spare: Arc<Mutex<Vec<FilterConfig>>>,
    pending: Arc<AtomicUsize>,
) {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(16);
    if workers < 2 {
        return;
    }
    pending.store(workers - 1, Ordering::Release);
    let done = pending.clone();
    let spawned = std::thread::Builder::new()
        .name("itar-precompile".into())
        .spawn(move || {
            let _ = catch_unwind(AssertUnwindSafe(|| {
                for _ in 1..workers {
                    // Envoy destroyed the config meanwhile (only this thread still holds it).
                    if Arc::strong_count(&spare) == 1 {
                        break;
                    }
                    let Ok(c) = FilterConfig::load(&policy) else {
                        break;
                    };
                    let Ok(mut s) = spare.lock() else {
                        break;
                    };
                    s.push(c);
                    drop(s);
                    pending.fetch_sub(1, Ordering::AcqRel);
                }
            }));
            pending.store(0, Ordering::Release);
        });
    if spawned.is_err() {
        done.store(0, Ordering::Release);
    }
}

/// # Safety
/// `config` is a pointer `envoy_dynamic_module_on_http_filter_config_new` returned.
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_config_destroy(config: *const c_void) {
    if config.is_null() {
        return;
    }
    let config = Arc::from_raw(config as *const Config);
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if let Ok(mut live) = LIVE.lock() {
            live.retain(|id| *id != config.id);
        }
        drop(config);
    }));
}

/// # Safety
/// `config` is a pointer `envoy_dynamic_module_on_http_filter_config_new` returned, alive for
/// the call (Envoy keeps a config alive while streams use it).
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_new(
    config: *const c_void,
    _filter_envoy: FilterEnvoyPtr,
) -> *mut c_void {
    if config.is_null() {
        return std::ptr::null_mut();
    }
    let config = config as *const Config;
    Arc::increment_strong_count(config);
    let config = Arc::from_raw(config);
    catch_unwind(AssertUnwindSafe(move || {
        let loaded = WorkerLoaded::get(&config);
        Box::into_raw(Box::new(Filter {
            config,
            loaded,
            exchange: Exchange::new(),
            failed: false,
        })) as *mut c_void
    }))
    .unwrap_or(std::ptr::null_mut())
}

/// # Safety
/// `module` is a pointer `envoy_dynamic_module_on_http_filter_new` returned; not used again.
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_destroy(module: *mut c_void) {
    if !module.is_null() {
        let filter = Box::from_raw(module as *mut Filter);
        let _ = catch_unwind(AssertUnwindSafe(move || drop(filter)));
    }
}

/// # Safety
/// Envoy's filter pointer and the module's, for one stream hook.
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_request_headers(
    envoy: FilterEnvoyPtr,
    module: *mut c_void,
    end_of_stream: bool,
) -> u32 {
    guarded(
        envoy,
        module,
        abi::headers_status::STOP_ITERATION,
        |f, h| {
            headers_status(
                f.exchange
                    .on_request_headers(f.loaded.as_deref(), h, end_of_stream),
            )
        },
    )
}

/// # Safety
/// As [`envoy_dynamic_module_on_http_filter_request_headers`].
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_request_body(
    envoy: FilterEnvoyPtr,
    module: *mut c_void,
    end_of_stream: bool,
) -> u32 {
    guarded(
        envoy,
        module,
        abi::body_status::STOP_ITERATION_AND_BUFFER,
        |f, h| {
            let size = h.body_size(true);
            body_status(
                f.exchange
                    .on_request_body(f.loaded.as_deref(), h, size, end_of_stream),
            )
        },
    )
}

/// # Safety
/// As [`envoy_dynamic_module_on_http_filter_request_headers`].
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_request_trailers(
    envoy: FilterEnvoyPtr,
    module: *mut c_void,
) -> u32 {
    guarded(
        envoy,
        module,
        abi::trailers_status::STOP_ITERATION,
        |f, h| trailers_status(f.exchange.on_request_trailers(f.loaded.as_deref(), h)),
    )
}

/// # Safety
/// As [`envoy_dynamic_module_on_http_filter_request_headers`].
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_response_headers(
    envoy: FilterEnvoyPtr,
    module: *mut c_void,
    end_of_stream: bool,
) -> u32 {
    guarded(
        envoy,
        module,
        abi::headers_status::STOP_ITERATION,
        |f, h| {
            headers_status(
                f.exchange
                    .on_response_headers(f.loaded.as_deref(), h, end_of_stream),
            )
        },
    )
}

/// # Safety
/// As [`envoy_dynamic_module_on_http_filter_request_headers`].
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_response_body(
    envoy: FilterEnvoyPtr,
    module: *mut c_void,
    end_of_stream: bool,
) -> u32 {
    guarded(
        envoy,
        module,
        abi::body_status::STOP_ITERATION_AND_BUFFER,
        |f, h| {
            let size = h.body_size(false);
            body_status(
                f.exchange
                    .on_response_body(f.loaded.as_deref(), h, size, end_of_stream),
            )
        },
    )
}

/// Response trailers pass (the Wasm build does not look at them either).
///
/// # Safety
/// As [`envoy_dynamic_module_on_http_filter_request_headers`].
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_response_trailers(
    envoy: FilterEnvoyPtr,
    module: *mut c_void,
) -> u32 {
    guarded(
        envoy,
        module,
        abi::trailers_status::STOP_ITERATION,
        |_, _| abi::trailers_status::CONTINUE,
    )
}

/// The end of the exchange: the flow's `on_log` (quota settlement, metrics, the sealed audit
/// line into filter state for the access log), then this stream's counts handed to Envoy.
///
/// # Safety
/// As [`envoy_dynamic_module_on_http_filter_request_headers`].
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_stream_complete(
    envoy: FilterEnvoyPtr,
    module: *mut c_void,
) {
    if module.is_null() {
        return;
    }
    // SAFETY: as in `guarded`. No reply can be sent any more: a panic here loses this stream's
    // audit line and counts (logged), nothing else. A stream that failed closed still gets both.
    let f = &mut *(module as *mut Filter);
    let mut h = NativeHost { filter: envoy };
    let done = catch_unwind(AssertUnwindSafe(|| {
        f.exchange.on_log(f.loaded.as_deref(), &mut h);
        if let Some(loaded) = &f.loaded {
            let ids = &f.config.counters;
            loaded.drain(|i, n| {
                if let Some(Some(id)) = ids.get(i) {
                    // SAFETY: Envoy's filter pointer for this hook; ids from this config.
                    unsafe {
                        abi::envoy_dynamic_module_callback_http_filter_increment_counter(
                            envoy,
                            *id,
                            std::ptr::null(),
                            0,
                            n,
                        );
                    }
                }
            });
        }
    }));
    if done.is_err() {
        host::log(
            abi::log_level::CRITICAL,
            "itar-filter: the end-of-stream callback panicked; this request has no audit line",
        );
    }
}

// Hooks Envoy requires a module to export but this filter does not use (no callouts, no
// scheduler, no per-route config, no watermark handling). C callers may pass arguments these
// ignore.

/// # Safety
/// No-op.
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_http_callout_done() {}
/// # Safety
/// No-op.
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_http_stream_headers() {}
/// # Safety
/// No-op.
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_http_stream_data() {}
/// # Safety
/// No-op.
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_http_stream_trailers() {}
/// # Safety
/// No-op.
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_http_stream_complete() {}
/// # Safety
/// No-op.
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_http_stream_reset() {}
/// # Safety
/// No-op.
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_scheduled() {}
/// # Safety
/// No-op.
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_downstream_above_write_buffer_high_watermark(
) {
}
/// # Safety
/// No-op.
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_downstream_below_write_buffer_low_watermark(
) {
}
/// Per-route configs are not supported: refused (null).
///
/// # Safety
/// No-op.
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_per_route_config_new() -> *const c_void
{
    std::ptr::null()
}
/// # Safety
/// No-op.
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_per_route_config_destroy() {}
