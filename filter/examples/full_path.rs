//! One request's whole filter-side work, natively, without the host: what the glue does between
//! Envoy's callbacks (route, identity from a verified-claims struct, inspect the request, inspect
//! the buffered response, metrics bumps, finish, seal the audit record). For callgrind:
//!
//!   cargo build --release -p itar-filter --example full_path
//!   valgrind --tool=callgrind target/release/examples/full_path BODY.json 200
//!
//! `PHASES=1` (or a fourth argument `phases`) also times the parts on their own (route, response
//! inspection, request inspection, identity, the text digests, sealing without them). Natively
//! sha2 uses the CPU's SHA extensions; in the Wasm VM (and under valgrind) it does not, so
//! digests weigh more there. In V8 (no environment there, so the policy is the third argument):
//!
//!   cargo build --release --target wasm32-wasip1 -p itar-filter --example full_path
//!   node --no-warnings scripts/bench.d/wasi-run.mjs \
//!       target/wasm32-wasip1/release/examples/full_path.wasm /tmp/body.json 2000 \
//!       "$PWD/policies/default.json" phases
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use itar_filter::audit::Chain;
use itar_filter::engine::response::{ResponseCtx, ResponseVerdict};
use itar_filter::engine::{Engine, RequestHead, Route, Verdict};
use itar_filter::identity::Identity;
use itar_filter::policy::Provider;
use serde_json::json;

const REPLY: &[u8] = br#"{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the fast upstream."},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":7,"total_tokens":17}}"#;

fn head(request_id: &str) -> RequestHead {
    RequestHead {
        method: "POST".into(),
        path: "/v1/chat/completions".into(),
        request_id: request_id.into(),
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
            ("x-request-id", request_id),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    }
}

/// Run `f` n times and print the mean time per run.
fn timed(label: &str, n: usize, mut f: impl FnMut()) {
    let t = std::time::Instant::now();
    for _ in 0..n {
        f();
    }
    eprintln!(
        "{label} {:.2} us",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let body = std::fs::read(&args[1]).unwrap();
    let n: usize = args.get(2).map(|s| s.parse().unwrap()).unwrap_or(100);
    let policy =
        std::fs::read(args.get(3).map_or("policies/default.json", |s| s.as_str())).unwrap();
    let engine = Engine::from_policy_json(&policy).unwrap();
    let mut scratch = engine.new_scratch();
    let mut chain = Chain::new("bench".into());
    let names: Vec<String> = engine.destinations.iter().map(|d| d.name.clone()).collect();
    let counters = itar_filter::metrics::Counters::new(&names);
    let mut bumps = Vec::new();
    let claims = json!({"sub": "bench", "iss": "https://idp.demo.itar-gateway.invalid",
        "aud": ["itar-gateway"], "us_person": true, "clearance": "SECRET",
        "groups": ["itar-gateway-users"], "iat": 3999999000u64, "exp": 4000000000u64});
    let t0 = std::time::Instant::now();
    let mut total = 0usize;
    for i in 0..n {
        let head = head(&format!("req-{i}"));
        let mut audit = engine.audit_start(&head, "2026-11-22T00:00:00.000000Z".into());
        let Route::Inspect {
            provider,
            head: pieces,
            ..
        } = engine.route(&mut scratch, &head, &mut audit)
        else {
            panic!("not inspected")
        };
        let policy = engine.identity.as_ref().unwrap();
        let identity = Identity::resolve(policy, Some(&claims), None, false, None);
        audit.identity = Some(identity.clone());
        let dest = match engine.inspect_request_with_head(
            &mut scratch,
            provider,
            &body,
            &pieces,
            &identity,
            &mut audit,
        ) {
            Verdict::Forward { destination, .. } => destination,
            Verdict::Refuse(_) => panic!("refused: {}", audit.reason),
        };
        let ctx = ResponseCtx {
            provider,
            destination: dest,
            identity,
            request_id: head.request_id.clone(),
            masks: Default::default(),
        };
        match engine.inspect_response(&mut scratch, &ctx, REPLY, &mut audit) {
            ResponseVerdict::Pass => {}
            _ => panic!("response not passed"),
        }
        counters.bumps(&audit, &mut bumps);
        total += bumps.len();
        audit.finish();
        total += chain.seal(&mut audit).unwrap().len();
    }
    let dt = t0.elapsed();
    if std::env::var("PHASES").is_ok() || args.get(4).is_some_and(|a| a == "phases") {
        let head = head("x");
        let policy = engine.identity.as_ref().unwrap();
        let identity = Identity::resolve(policy, Some(&claims), None, false, None);
        let ctx = ResponseCtx {
            provider: Provider::Openai.into(),
            destination: "commercial".into(),
            identity: identity.clone(),
            request_id: "x".into(),
            masks: Default::default(),
        };
        let mut inspected = engine.audit_start(&head, String::new());
        timed("audit_start + route", n, || {
            let mut a = engine.audit_start(&head, String::new());
            let _ = engine.route(&mut scratch, &head, &mut a);
        });
        timed("inspect_response", n, || {
            let mut a = engine.audit_start(&head, String::new());
            let _ = engine.inspect_response(&mut scratch, &ctx, REPLY, &mut a);
        });
        timed("inspect_request", n, || {
            inspected = engine.audit_start(&head, String::new());
            let _ = engine.inspect_request(
                &mut scratch,
                Provider::Openai,
                &body,
                &identity,
                &mut inspected,
            );
        });
        timed("identity resolve", n, || {
            let _ = Identity::resolve(policy, Some(&claims), None, false, None);
        });
        timed("text digests (finish)", n, || {
            let mut b = inspected.clone();
            b.finish();
        });
        timed("clone of the record", n, || {
            let _ = inspected.clone();
        });
        timed("seal (no text digests)", n, || {
            let mut b = inspected.clone();
            b.hash_pending = None;
            b.response_hash_pending = None;
            let _ = chain.seal(&mut b);
        });
    }
    eprintln!(
        "{n} requests, {:.1} us each ({total})",
        dt.as_secs_f64() * 1e6 / n as f64
    );
}
