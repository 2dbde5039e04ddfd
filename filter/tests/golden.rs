//! Golden record of the request path: every corpus item goes through `flow::Exchange` with the
//! in-memory proxy of the flow tests (flow/fake.rs), the default policy, a fixed identity and a
//! frozen clock, in two wire formats (OpenAI chat completions with a string content, Anthropic
//! messages with a text block), and what the exchange produced is compared with the blessed
//! digests in filter/testdata/golden/:
//!
//! - `families.txt`: the development families, filter/testdata/corpus/families/*.jsonl;
//! - `shared.txt`: the shared corpus, ../shared/corpus/{prompts,evasions,streaming}.jsonl beside
//!   the repository (skipped, with the reason printed, when that folder is absent).
//!
//! One line per item and format: `id format o=.. u=.. r=.. a=.. m=..`, each value the first 12
//! hex digits of the SHA-256 of one part of the exchange (`-`: the part did not happen):
//!
//! - `o` outcome: forwarded, or the local reply (status, headers, body);
//! - `u` upstream: the request as it went upstream (headers in order, `:path` included, body);
//! - `r` response: what the client received of the upstream's answer (status, headers, each
//!   write), when the request was forwarded. The answer is the item's own text in one of the two
//!   formats and a short fixed text in the other (streaming rows: their chunks in both), as a
//!   server-sent-event stream or as a buffered body, by turns;
//! - `a` audit: the audit line(s) the access-log callback handed to the proxy;
//! - `m` metrics: the counts the exchange added to the VM's counters.
//!
//!   cargo test -p itar-filter --test golden                 compare
//!   ITAR_BLESS=1 cargo test -p itar-filter --test golden    rewrite the blessed files
//!
//! Bless only for a change meant to change behaviour, and say so in its commit (see
//! docs/architecture.md, "The golden record").
//!
//! Nothing in a record depends on the run: the clock is frozen (the record's `time` and the
//! token's lifetime are fixed, and `scan_us` is 0 because the clock does not move during the
//! scan), every exchange has its own proxy and its own audit chain (`seq` 1, so one item's change
//! does not move the digests of the items after it), the default policy captures no text (no
//! sealed envelope, no randomness), and the request id is derived from the item.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[allow(dead_code)]
#[path = "flow/fake.rs"]
mod fake;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use fake::{finish, pairs, send_request, upstream_answers, FakeHost};
use itar_filter::config::FilterConfig;
use itar_filter::flow::{Exchange, Loaded};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const POLICY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../policies/default.json");
/// 2026-01-01T00:00:00Z, in nanoseconds.
const NOW: u128 = 1_767_225_600_000_000_000;
/// Hex digits kept of each part's SHA-256 (48 bits: a change goes unnoticed with odds 2^-48).
const DIGITS: usize = 12;
/// The answer to an item whose own text comes back in the other format.
const SHORT_ANSWER: &str = "Done: the summary is ready.";
const OPENAI_MODEL: &str = "gpt-4o";
const ANTHROPIC_MODEL: &str = "claude-sonnet-5-5";

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/golden")
}

fn shared_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Wire {
    Openai,
    Anthropic,
}

const WIRES: [Wire; 2] = [Wire::Openai, Wire::Anthropic];

impl Wire {
    fn name(self) -> &'static str {
        match self {
            Wire::Openai => "openai",
            Wire::Anthropic => "anthropic",
        }
    }
    fn path(self) -> &'static str {
        match self {
            Wire::Openai => "/v1/chat/completions",
            Wire::Anthropic => "/v1/messages",
        }
    }
}

/// What the client sends as the conversation.
enum Prompt {
    /// One user message.
    Text(String),
    /// The characters between the quotes of the user message's text, spliced in as they are
    /// (`json_escaped` rows, and raw bytes that are not UTF-8).
    Raw(Vec<u8>),
    /// A whole conversation: (role, content).
    Turns(Vec<(String, String)>),
}

/// What the upstream answers.
enum Answer {
    /// A text, streamed or buffered by turns.
    Text(String),
    /// Text deltas, always streamed, one event per write.
    Deltas(Vec<String>),
    /// The raw writes of a stream in one format; the deltas for the other.
    Raw {
        wire: Wire,
        writes: Vec<Vec<u8>>,
        deltas: Vec<String>,
    },
}

struct Item {
    id: String,
    prompt: Prompt,
    answer: Answer,
}

fn jsonl(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), n + 1))
        })
        .collect()
}

fn str_of(row: &Value, key: &str) -> Option<String> {
    row.get(key).and_then(Value::as_str).map(str::to_string)
}

fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

/// One row of any corpus file as an item.
fn item_of(row: &Value) -> Item {
    let id = str_of(row, "id").expect("every row has an id");
    if let Some(prompt) = str_of(row, "prompt") {
        // streaming.jsonl: the prompt goes up, the row's chunks come back.
        let strings = |k: &str| -> Vec<String> {
            row[k]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let answer = match row["wire"].as_str() {
            Some("delta") => Answer::Deltas(strings("chunks")),
            Some(w) => Answer::Raw {
                wire: if w.starts_with("anthropic") {
                    Wire::Anthropic
                } else {
                    Wire::Openai
                },
                writes: strings("chunks_b64").iter().map(|c| b64(c)).collect(),
                deltas: strings("deltas"),
            },
            None => panic!("streaming row {id} without a wire"),
        };
        return Item {
            id,
            prompt: Prompt::Text(prompt),
            answer,
        };
    }
    if let Some(msgs) = row.get("messages").and_then(Value::as_array) {
        let turns: Vec<(String, String)> = msgs
            .iter()
            .map(|m| {
                (
                    m["role"].as_str().unwrap_or("user").to_string(),
                    m["content"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        let text = turns
            .iter()
            .map(|(_, c)| c.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        return Item {
            id,
            prompt: Prompt::Turns(turns),
            answer: Answer::Text(text),
        };
    }
    if let Some(b) = row.get("bytes_b64").and_then(Value::as_str) {
        let raw = b64(b);
        return match String::from_utf8(raw) {
            Ok(s) => Item {
                id,
                prompt: Prompt::Text(s.clone()),
                answer: Answer::Text(s),
            },
            Err(e) => {
                let answer = Answer::Text(String::from_utf8_lossy(e.as_bytes()).into_owned());
                Item {
                    id,
                    prompt: Prompt::Raw(e.into_bytes()),
                    answer,
                }
            }
        };
    }
    let text = str_of(row, "text").unwrap_or_else(|| panic!("row {id} without a text"));
    if row.get("json_escaped").and_then(Value::as_bool) == Some(true) {
        let decoded: String =
            serde_json::from_str(&format!("\"{text}\"")).unwrap_or_else(|_| text.clone());
        return Item {
            id,
            prompt: Prompt::Raw(text.into_bytes()),
            answer: Answer::Text(decoded),
        };
    }
    Item {
        id,
        prompt: Prompt::Text(text.clone()),
        answer: Answer::Text(text),
    }
}

fn family_items() -> Vec<Item> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus/families");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("jsonl"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| jsonl(f))
        .map(|r| item_of(&r))
        .collect()
}

/// The shared corpus, or why it is not there.
fn shared_items() -> Result<Vec<Item>, String> {
    let dir = shared_corpus();
    let files = ["prompts.jsonl", "evasions.jsonl", "streaming.jsonl"];
    let mut items = Vec::new();
    for f in files {
        let p = dir.join(f);
        if !p.is_file() {
            return Err(format!("{} is absent", p.display()));
        }
        items.extend(jsonl(&p).iter().map(item_of));
    }
    Ok(items)
}

/// The request body: the prompt in the format's shape, asking for a stream or not.
fn request_body(wire: Wire, prompt: &Prompt, stream: bool) -> Vec<u8> {
    let (model, extra): (&str, &str) = match wire {
        Wire::Openai => (OPENAI_MODEL, ""),
        Wire::Anthropic => (ANTHROPIC_MODEL, r#","max_tokens":256"#),
    };
    let stream = if stream { r#","stream":true"# } else { "" };
    let open = format!(r#"{{"model":"{model}"{extra}{stream},"#);
    let mut b = open.into_bytes();
    match prompt {
        Prompt::Text(t) => {
            let content = match wire {
                Wire::Openai => json!(t),
                Wire::Anthropic => json!([{"type": "text", "text": t}]),
            };
            let msgs = json!([{"role": "user", "content": content}]);
            b.extend_from_slice(format!(r#""messages":{msgs}}}"#).as_bytes());
        }
        Prompt::Raw(raw) => {
            b.extend_from_slice(match wire {
                Wire::Openai => br#""messages":[{"role":"user","content":""#.as_slice(),
                Wire::Anthropic => {
                    br#""messages":[{"role":"user","content":[{"type":"text","text":""#.as_slice()
                }
            });
            b.extend_from_slice(raw);
            b.extend_from_slice(match wire {
                Wire::Openai => br#""}]}"#.as_slice(),
                Wire::Anthropic => br#""}]}]}"#.as_slice(),
            });
        }
        Prompt::Turns(turns) => {
            let v = match wire {
                Wire::Openai => {
                    let msgs: Vec<Value> = turns
                        .iter()
                        .map(|(r, c)| json!({"role": r, "content": c}))
                        .collect();
                    json!({"messages": msgs})
                }
                Wire::Anthropic => {
                    let system: Vec<&str> = turns
                        .iter()
                        .filter(|(r, _)| r == "system")
                        .map(|(_, c)| c.as_str())
                        .collect();
                    let msgs: Vec<Value> = turns
                        .iter()
                        .filter(|(r, _)| r != "system")
                        .map(|(r, c)| json!({"role": r, "content": [{"type": "text", "text": c}]}))
                        .collect();
                    if system.is_empty() {
                        json!({"messages": msgs})
                    } else {
                        json!({"system": system.join("\n"), "messages": msgs})
                    }
                }
            };
            // The object's members, without its braces, after the model.
            let s = v.to_string();
            b.extend_from_slice(&s.as_bytes()[1..]);
        }
    }
    b
}

/// `text` in deltas of at most 40 bytes, cut at character boundaries.
fn deltas_of(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if cur.len() + c.len_utf8() > 40 {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

/// A server-sent-event stream carrying `deltas`, one event per write.
fn stream_writes(wire: Wire, deltas: &[String]) -> Vec<Vec<u8>> {
    match wire {
        Wire::Openai => {
            let chunk = |delta: Value, finish: Value| {
                let ev = json!({"id": "chatcmpl-golden", "object": "chat.completion.chunk",
                    "created": 1, "model": OPENAI_MODEL,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]});
                format!("data: {ev}\n\n").into_bytes()
            };
            let mut v = vec![chunk(
                json!({"role": "assistant", "content": ""}),
                Value::Null,
            )];
            v.extend(
                deltas
                    .iter()
                    .map(|d| chunk(json!({"content": d}), Value::Null)),
            );
            v.push(chunk(json!({}), json!("stop")));
            let usage = json!({"id": "chatcmpl-golden", "object": "chat.completion.chunk",
                "created": 1, "model": OPENAI_MODEL, "choices": [],
                "usage": {"prompt_tokens": 12, "completion_tokens": 6, "total_tokens": 18}});
            v.push(format!("data: {usage}\n\ndata: [DONE]\n\n").into_bytes());
            v
        }
        Wire::Anthropic => {
            let ev =
                |name: &str, data: Value| format!("event: {name}\ndata: {data}\n\n").into_bytes();
            let mut v = vec![
                ev(
                    "message_start",
                    json!({"type": "message_start", "message": {"id": "msg_golden",
                        "type": "message", "role": "assistant", "content": [],
                        "model": ANTHROPIC_MODEL,
                        "usage": {"input_tokens": 12, "output_tokens": 1}}}),
                ),
                ev(
                    "content_block_start",
                    json!({"type": "content_block_start", "index": 0,
                        "content_block": {"type": "text", "text": ""}}),
                ),
            ];
            v.extend(deltas.iter().map(|d| {
                ev(
                    "content_block_delta",
                    json!({"type": "content_block_delta", "index": 0,
                        "delta": {"type": "text_delta", "text": d}}),
                )
            }));
            v.push(ev(
                "content_block_stop",
                json!({"type": "content_block_stop", "index": 0}),
            ));
            v.push(ev(
                "message_delta",
                json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                    "usage": {"output_tokens": 6}}),
            ));
            v.push(ev("message_stop", json!({"type": "message_stop"})));
            v
        }
    }
}

/// A buffered answer carrying `text`, in two writes.
fn buffered_writes(wire: Wire, text: &str) -> Vec<Vec<u8>> {
    let body = match wire {
        Wire::Openai => json!({"id": "chatcmpl-golden", "object": "chat.completion",
            "created": 1, "model": OPENAI_MODEL,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 6, "total_tokens": 18}}),
        Wire::Anthropic => json!({"id": "msg_golden", "type": "message", "role": "assistant",
            "model": ANTHROPIC_MODEL, "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn", "usage": {"input_tokens": 12, "output_tokens": 6}}),
    };
    let b = serde_json::to_vec(&body).unwrap();
    let half = b.len() / 2;
    vec![b[..half].to_vec(), b[half..].to_vec()]
}

/// A proxy at the frozen time, with the verified claims of a US person cleared SECRET.
fn new_host() -> FakeHost {
    let mut host = FakeHost::new();
    host.now = NOW;
    let now = (NOW / 1_000_000_000) as f64;
    let groups = pairs(&[(b"itar-gateway-users".as_slice(), Vec::new())]);
    let claims: Vec<(&[u8], Vec<u8>)> = vec![
        (b"iss", b"https://idp.demo.itar-gateway.invalid".to_vec()),
        (b"sub", b"golden".to_vec()),
        (b"aud", b"itar-gateway".to_vec()),
        (b"iat", now.to_le_bytes().to_vec()),
        (b"nbf", now.to_le_bytes().to_vec()),
        (b"exp", (now + 3600.0).to_le_bytes().to_vec()),
        (b"person_category", b"us_citizen".to_vec()),
        (b"clearance", b"SECRET".to_vec()),
        (b"groups", groups),
    ];
    host.set_property(
        &[
            "metadata",
            "filter_metadata",
            "envoy.filters.http.jwt_authn",
            "claims",
        ],
        pairs(&claims),
    );
    host.set_property(&["source", "address"], b"127.0.0.1:50000".to_vec());
    host
}

fn headers_text(out: &mut Vec<u8>, headers: &[(String, String)]) {
    for (k, v) in headers {
        out.extend_from_slice(format!("{k}: {v}\n").as_bytes());
    }
    out.push(b'\n');
}

/// The parts of one exchange, in the order of the blessed line (None: did not happen).
type Parts = [Option<Vec<u8>>; 5];
const PART_NAMES: [&str; 5] = ["o", "u", "r", "a", "m"];
const PART_MEANING: [&str; 5] = ["outcome", "upstream", "response", "audit", "metrics"];

/// Item `index` in `wire` through the request path, and its answer when it was forwarded.
fn run_exchange(loaded: &Loaded, item: &Item, index: usize, wire: Wire) -> Parts {
    // A text answer is the item's text in one format (by turns) and a short fixed text in the
    // other, streamed in one of the two and buffered in the other (by turns of two): each item's
    // text goes through the response path once, and every format meets both shapes.
    let echoed = (index & 1 == 0) == (wire == Wire::Openai);
    let stream = match &item.answer {
        Answer::Text(_) => ((index >> 1) & 1 == 0) == echoed,
        Answer::Deltas(_) | Answer::Raw { .. } => true,
    };
    let mut host = new_host();
    let mut ex = Exchange::new();
    let rid = format!("golden-{}-{}", item.id, wire.name());
    let mut headers: Vec<(&str, &str)> = vec![
        (":method", "POST"),
        (":path", wire.path()),
        (":authority", "gateway.local"),
        ("content-type", "application/json"),
        ("x-request-id", &rid),
        ("authorization", "Bearer header.payload.signature"),
        ("user-agent", "golden/1"),
    ];
    if wire == Wire::Anthropic {
        headers.push(("anthropic-version", "2023-06-01"));
    }
    let body = request_body(wire, &item.prompt, stream);
    let out = send_request(loaded, &mut host, &mut ex, &headers, &body);

    let outcome = match &out.reply {
        Some(r) => {
            let mut o = format!("reply {}\n", r.status).into_bytes();
            let hs: Vec<(String, String)> = r.headers.clone();
            headers_text(&mut o, &hs);
            o.extend_from_slice(&r.body);
            o
        }
        None => b"forwarded".to_vec(),
    };
    let upstream = out.upstream.as_ref().map(|(h, b)| {
        let mut u = Vec::new();
        headers_text(&mut u, h);
        u.extend_from_slice(b);
        u
    });

    let (response, status, bytes) = if out.upstream.is_some() {
        let writes = match &item.answer {
            Answer::Text(t) => {
                let t = if echoed { t.as_str() } else { SHORT_ANSWER };
                if stream {
                    stream_writes(wire, &deltas_of(t))
                } else {
                    buffered_writes(wire, t)
                }
            }
            Answer::Deltas(d) => stream_writes(wire, d),
            Answer::Raw {
                wire: w,
                writes,
                deltas,
            } => {
                if *w == wire {
                    writes.clone()
                } else {
                    stream_writes(wire, deltas)
                }
            }
        };
        let content_type = if stream {
            "text/event-stream"
        } else {
            "application/json"
        };
        let refs: Vec<&[u8]> = writes.iter().map(Vec::as_slice).collect();
        let got = upstream_answers(
            loaded,
            &mut host,
            &mut ex,
            200,
            &[("content-type", content_type)],
            &refs,
        );
        let mut r = format!("{}\n", got.status).into_bytes();
        headers_text(&mut r, &got.headers);
        for w in &got.writes {
            r.extend_from_slice(format!("{}:", w.len()).as_bytes());
            r.extend_from_slice(w);
            r.push(b'\n');
        }
        let status = got.status.parse().unwrap_or(0);
        let bytes = got.body().len() as u64;
        (Some(r), status, bytes)
    } else {
        let (s, n) = out
            .reply
            .as_ref()
            .map_or((0, 0), |r| (r.status, r.body.len() as u64));
        (None, s, n)
    };
    finish(loaded, &mut host, &mut ex, status, bytes);

    let mut audit = Vec::new();
    for l in &host.audit_lines {
        audit.extend_from_slice(l);
        audit.push(b'\n');
    }
    let mut metrics = String::new();
    let names = loaded.counters.names();
    loaded.drain(|i, n| {
        let _ = writeln!(metrics, "{} {n}", names[i]);
    });
    [
        Some(outcome),
        upstream,
        response,
        Some(audit),
        Some(metrics.into_bytes()),
    ]
}

fn digest(part: &Option<Vec<u8>>) -> String {
    match part {
        None => "-".into(),
        Some(b) => {
            let d = Sha256::digest(b);
            let mut s = String::with_capacity(64);
            for x in d {
                let _ = write!(s, "{x:02x}");
            }
            s.truncate(DIGITS);
            s
        }
    }
}

/// `id format o=.. u=.. r=.. a=.. m=..`
fn line(item: &Item, wire: Wire, parts: &Parts) -> String {
    let mut l = format!("{} {}", item.id, wire.name());
    for (name, p) in PART_NAMES.iter().zip(parts) {
        let _ = write!(l, " {name}={}", digest(p));
    }
    l
}

/// The lines of every item in both formats, in corpus order, on all cores.
fn record(policy: &[u8], items: &[Item]) -> Vec<String> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4);
    let per = items.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(per)
            .enumerate()
            .map(|(c, chunk)| {
                s.spawn(move || {
                    let loaded = Loaded::new(FilterConfig::load(policy).expect("policy loads"));
                    let mut lines = Vec::with_capacity(chunk.len() * 2);
                    for (k, item) in chunk.iter().enumerate() {
                        for wire in WIRES {
                            let parts = run_exchange(&loaded, item, c * per + k, wire);
                            lines.push(line(item, wire, &parts));
                        }
                    }
                    lines
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

const HEADER: &str = "# golden record (filter/tests/golden.rs): id format, then per part the first 12 hex digits of its SHA-256\n# o outcome, u upstream request, r response, a audit line(s), m metrics; - when the part did not happen\n# regenerate only for a change meant to change behaviour: ITAR_BLESS=1 cargo test -p itar-filter --test golden\n";

/// Where the recorded lines differ from the blessed ones, one description per item and format.
fn compare(blessed: &str, got: &[String]) -> Vec<String> {
    let key = |l: &str| -> String { l.splitn(3, ' ').take(2).collect::<Vec<_>>().join(" ") };
    let want: BTreeMap<String, &str> = blessed
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| (key(l), l))
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut diffs = Vec::new();
    for l in got {
        let k = key(l);
        seen.insert(k.clone());
        match want.get(&k) {
            None => diffs.push(format!("{k}: not in the blessed file")),
            Some(w) if *w == l.as_str() => {}
            Some(w) => {
                let parts =
                    |s: &str| -> Vec<String> { s.split(' ').skip(2).map(str::to_string).collect() };
                let (a, b) = (parts(w), parts(l));
                let which: Vec<String> = PART_NAMES
                    .iter()
                    .zip(PART_MEANING)
                    .enumerate()
                    .filter(|(i, _)| a.get(*i) != b.get(*i))
                    .map(|(i, (_, m))| {
                        format!(
                            "{m} ({} -> {})",
                            a.get(i).map_or("?", String::as_str),
                            b.get(i).map_or("?", String::as_str)
                        )
                    })
                    .collect();
                diffs.push(format!("{k}: {} differs", which.join(", ")));
            }
        }
    }
    for k in want.keys() {
        if !seen.contains(k) {
            diffs.push(format!("{k}: blessed but not recorded"));
        }
    }
    diffs
}

fn bless() -> bool {
    std::env::var("ITAR_BLESS").is_ok_and(|v| v == "1")
}

/// Compare (or bless) one golden file; the differences found.
fn check(file: &str, lines: &[String]) -> Vec<String> {
    let path = golden_dir().join(file);
    if bless() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        let mut text = HEADER.to_string();
        for l in lines {
            text.push_str(l);
            text.push('\n');
        }
        std::fs::write(&path, text).unwrap();
        println!("golden: blessed {} ({} lines)", path.display(), lines.len());
        return Vec::new();
    }
    let blessed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (ITAR_BLESS=1 cargo test -p itar-filter --test golden writes it)",
            path.display()
        )
    });
    compare(&blessed, lines)
        .into_iter()
        .map(|d| format!("{file}: {d}"))
        .collect()
}

#[test]
fn corpus_replays_as_blessed() {
    let policy = std::fs::read(POLICY).unwrap();
    let started = std::time::Instant::now();
    let families = family_items();
    let mut diffs = check("families.txt", &record(&policy, &families));
    let mut count = families.len();
    match shared_items() {
        Ok(shared) => {
            count += shared.len();
            diffs.extend(check("shared.txt", &record(&policy, &shared)));
        }
        Err(why) => println!("golden: shared corpus skipped: {why}"),
    }
    println!(
        "golden: {count} items x {} formats in {:.1} s",
        WIRES.len(),
        started.elapsed().as_secs_f64()
    );
    if !diffs.is_empty() {
        let shown: Vec<&str> = diffs.iter().take(20).map(String::as_str).collect();
        panic!(
            "{} exchanges differ from the golden record; the first:\n  {}\n\
             (bless only a change meant to change behaviour: ITAR_BLESS=1 cargo test -p itar-filter --test golden)",
            diffs.len(),
            shown.join("\n  ")
        );
    }
}

/// The record catches a behaviour change: the same items under a policy whose support weights are
/// halved give lines that differ from the default policy's, and the comparison names the items
/// and the parts; the same policy twice gives the same lines.
#[test]
fn a_changed_policy_changes_the_record() {
    let policy = std::fs::read(POLICY).unwrap();
    let items: Vec<Item> = family_items().into_iter().take(60).collect();
    let before = record(&policy, &items);
    assert_eq!(
        before,
        record(&policy, &items),
        "the record is deterministic"
    );

    let mut changed: Value = serde_json::from_slice(&policy).unwrap();
    for rule in changed["rules"].as_array_mut().unwrap() {
        if let Some(support) = rule.get_mut("support").and_then(Value::as_array_mut) {
            for s in support {
                if let Some(w) = s.get("weight").and_then(Value::as_f64) {
                    s["weight"] = json!(w / 2.0);
                }
            }
        }
    }
    let after = record(&serde_json::to_vec(&changed).unwrap(), &items);
    let blessed: String = before.iter().map(|l| format!("{l}\n")).collect();
    let diffs = compare(&blessed, &after);
    assert!(!diffs.is_empty(), "halving the weights changed nothing");
    // Every audit record names the policy's digest; the outcome must move too, somewhere.
    assert!(
        diffs
            .iter()
            .any(|d| d.contains("outcome (") || d.contains("upstream (")),
        "only the audit records differ: {diffs:?}"
    );
    let moved = diffs
        .iter()
        .filter(|d| d.contains("outcome (") || d.contains("upstream ("))
        .count();
    println!(
        "golden: halved weights move {} of {} lines ({moved} in what the client or upstream got)",
        diffs.len(),
        after.len()
    );
    assert!(diffs.iter().all(|d| d.ends_with(" differs")), "{diffs:?}");
}
