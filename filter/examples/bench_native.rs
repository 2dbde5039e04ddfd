//! Native request-path timing for `scripts/bench` (and for profiling with callgrind).
//!
//!   cargo run --release -p itar-filter --example bench_native -- \
//!       [--policy policies/default.json] [--seconds 1.0] [--compile-reps 5] BODY.json...
//!   cargo run --release -p itar-filter --example bench_native -- --profile 50 BODY.json
//!
//! Prints one JSON object: the policy compile time (`Engine::from_policy_json`, min and median of
//! `--compile-reps`), and per body file the throughput of `Engine::inspect_request` (what the
//! filter's `scan_us` in the audit record times: extract, normalize, scan, rules, decide, edits)
//! and of `Engine::scan_body` (the detection part without the decision), in MB/s (10^6 bytes/s)
//! on one core, with the decision the body got. The body files are the ones scripts/bench sends
//! through Envoy, so native and in-Envoy figures are on the same bytes.
//!
//! `--profile N` skips the timing loops and runs `inspect_request` N times per body (after one
//! compile), a fixed amount of work for `valgrind --tool=callgrind`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use itar_filter::engine::{Engine, RequestHead, Route, Scratch, Verdict};
use itar_filter::identity::Identity;
use itar_filter::policy::Policy;
use serde_json::json;

fn head() -> RequestHead {
    RequestHead {
        method: "POST".into(),
        path: "/v1/chat/completions".into(),
        request_id: "bench".into(),
        content_type: "application/json".into(),
        content_encoding: String::new(),
        source: "127.0.0.1:50000".into(),
        country: None,
        client_request_id: None,
        headers: [
            (":method", "POST"),
            (":path", "/v1/chat/completions"),
            (":authority", "127.0.0.1:10000"),
            ("content-type", "application/json"),
            ("user-agent", "OpenAI/Python 1.55.0"),
            ("x-stainless-lang", "python"),
            ("x-request-id", "bench"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    }
}

/// One request through the filter's request path (named, not inlined: the callgrind
/// `--toggle-collect` target of `scripts/bench --profile`).
#[inline(never)]
fn run_inspect(engine: &Engine, scratch: &mut Scratch, identity: &Identity, body: &[u8]) -> String {
    let head = head();
    let mut audit = engine.audit_start(&head, String::new());
    let (provider, pieces) = match engine.route(scratch, &head, &mut audit) {
        Route::Inspect { provider, head, .. } => (provider, head),
        _ => panic!("the benchmark path is not inspected by the policy"),
    };
    match engine.inspect_request_with_head(scratch, provider, body, &pieces, identity, &mut audit) {
        Verdict::Forward {
            destination,
            body: None,
            ..
        } => format!("allow:{destination}"),
        Verdict::Forward {
            destination,
            body: Some(_),
            ..
        } => format!("redact:{destination}"),
        Verdict::Refuse(_) => format!("refuse:{}", audit.reason),
    }
}

fn main() {
    let mut policy_path = String::from("policies/default.json");
    let mut seconds = 1.0f64;
    let mut compile_reps = 5usize;
    let mut profile: Option<usize> = None;
    let mut bodies = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--policy" => policy_path = args.next().expect("--policy FILE"),
            "--seconds" => seconds = args.next().expect("--seconds S").parse().expect("number"),
            "--compile-reps" => {
                compile_reps = args
                    .next()
                    .expect("--compile-reps K")
                    .parse()
                    .expect("number")
            }
            "--profile" => {
                profile = Some(args.next().expect("--profile N").parse().expect("number"))
            }
            _ => bodies.push(a),
        }
    }
    let json = std::fs::read(&policy_path).expect("policy file");
    let policy = Policy::parse(&json).expect("policy parses");
    let mut compile = Vec::new();
    let mut engine = None;
    for _ in 0..compile_reps.max(1) {
        let t = Instant::now();
        let e = Engine::from_policy_json(&json).expect("policy compiles");
        compile.push(t.elapsed().as_secs_f64() * 1e3);
        engine = Some(e);
        if profile.is_some() {
            break;
        }
    }
    let engine = engine.expect("compiled");
    compile.sort_by(f64::total_cmp);
    let claims = json!({
        "iss": "https://idp.demo.itar-gateway.invalid", "aud": "itar-gateway", "sub": "bench",
        "person_category": "us_citizen", "clearance": "SECRET", "groups": ["itar-gateway-users"],
        "iat": 1.7e9, "exp": 1.7e9 + 3600.0,
    });
    let identity = match &policy.identity {
        Some(ip) => Identity::from_claims(ip, &claims),
        None => Identity::missing(),
    };
    let mut scratch = engine.new_scratch();
    let mut results = Vec::new();
    for path in &bodies {
        let body = std::fs::read(path).expect("body file");
        if let Some(n) = profile {
            // Warm the lazy DFA caches outside the collected function, as in a VM that has
            // served requests already.
            std::hint::black_box(
                engine
                    .scan_body(&mut scratch, itar_filter::policy::Provider::Openai, &body)
                    .expect("scan"),
            );
            for _ in 0..n {
                std::hint::black_box(run_inspect(&engine, &mut scratch, &identity, &body));
            }
            continue;
        }
        let mut inspect = |body: &[u8]| run_inspect(&engine, &mut scratch, &identity, body);
        let decision = inspect(&body); // also warms the lazy DFA cache
        let rate = |f: &mut dyn FnMut()| {
            let (mut iters, t) = (0usize, Instant::now());
            while t.elapsed() < Duration::from_secs_f64(seconds) || iters < 5 {
                f();
                iters += 1;
            }
            let secs = t.elapsed().as_secs_f64();
            (
                body.len() as f64 * iters as f64 / secs / 1e6,
                secs / iters as f64 * 1e6,
            )
        };
        let (inspect_mbs, inspect_us) = rate(&mut || {
            std::hint::black_box(inspect(&body));
        });
        let mut scratch2 = engine.new_scratch();
        let (scan_mbs, _) = rate(&mut || {
            std::hint::black_box(
                engine
                    .scan_body(&mut scratch2, itar_filter::policy::Provider::Openai, &body)
                    .expect("scan"),
            );
        });
        results.push(json!({
            "file": path, "bytes": body.len(), "decision": decision,
            "inspect_mb_s": inspect_mbs, "inspect_us": inspect_us, "scan_body_mb_s": scan_mbs,
        }));
    }
    if profile.is_some() {
        return;
    }
    let out = json!({
        "policy": policy_path,
        "compile_ms_min": compile.first(),
        "compile_ms_median": compile.get(compile.len() / 2),
        "compile_reps": compile.len(),
        "bodies": results,
    });
    println!("{out}");
}
