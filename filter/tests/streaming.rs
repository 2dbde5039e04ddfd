#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The response path on streams, natively: the shared streaming corpus plus our own splits
//! (inside markings, multi-byte characters, `data:` lines and JSON), fed through the engine one
//! network read at a time, asserting what the client would receive.

use base64::Engine as _;
use itar_filter::audit::AuditRecord;
use itar_filter::engine::response::ResponseCtx;
use itar_filter::engine::Engine;
use itar_filter::identity::Identity;
use itar_filter::policy::Provider;
use itar_filter::wire::Format;
use serde_json::{json, Value};

fn engine() -> &'static Engine {
    static E: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    E.get_or_init(|| {
        Engine::from_policy_json(include_bytes!("../../policies/default.json"))
            .expect("default policy compiles")
    })
}

fn ctx(provider: impl Into<itar_filter::wire::Format>, dest: &str) -> ResponseCtx {
    let e = engine();
    let claims = json!({"sub": "t", "iss": "https://idp.demo.itar-gateway.invalid", "aud": "itar-gateway",
                        "person_category": "us_citizen", "groups": ["itar-gateway-users"],
                        "iat": 1.7e9, "exp": 1.7e9 + 3600.0});
    ResponseCtx {
        provider: provider.into(),
        destination: dest.into(),
        identity: Identity::from_claims(e.identity.as_ref().expect("identity policy"), &claims),
        request_id: "req-1".into(),
        masks: Default::default(),
    }
}

fn openai_events(deltas: &[String]) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = vec![format!(
        "data: {}\n\n",
        json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
               "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": null}]})
    )
    .into_bytes()];
    for d in deltas {
        v.push(
            format!(
                "data: {}\n\n",
                json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
                       "choices": [{"index": 0, "delta": {"content": d}, "finish_reason": null}]})
            )
            .into_bytes(),
        );
    }
    v.push(
        format!(
            "data: {}\n\ndata: [DONE]\n\n",
            json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
                   "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        )
        .into_bytes(),
    );
    v
}

fn anthropic_events(deltas: &[String]) -> Vec<Vec<u8>> {
    let mut v = vec![
        b"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"m\",\"usage\":{\"input_tokens\":7,\"output_tokens\":1}}}\n\n".to_vec(),
        b"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n".to_vec(),
    ];
    for d in deltas {
        v.push(
            format!(
                "event: content_block_delta\ndata: {}\n\n",
                json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": d}})
            )
            .into_bytes(),
        );
    }
    v.push(
        b"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
            .to_vec(),
    );
    v.push(b"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":42}}\n\n".to_vec());
    v.push(b"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n".to_vec());
    v
}

/// Gemini `streamGenerateContent?alt=sse`: unnamed events, each a GenerateContentResponse; the
/// last candidate has a finishReason and the usage.
fn gemini_events(deltas: &[String]) -> Vec<Vec<u8>> {
    let n = deltas.len();
    deltas
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut cand =
                json!({"content": {"role": "model", "parts": [{"text": d}]}, "index": 0});
            let mut usage = json!({"promptTokenCount": 7});
            if i + 1 == n {
                cand["finishReason"] = json!("STOP");
                usage["candidatesTokenCount"] = json!(42);
            }
            let v = json!({"candidates": [cand], "usageMetadata": usage,
                           "modelVersion": "gemini-2.5-flash", "responseId": "r1"});
            format!("data: {v}\r\n\r\n").into_bytes()
        })
        .collect()
}

struct Seen {
    /// Every byte the client receives, per network write.
    writes: Vec<Vec<u8>>,
    audit: AuditRecord,
}

impl Seen {
    fn all(&self) -> String {
        String::from_utf8(self.writes.concat()).expect("output is UTF-8")
    }
    /// The model text the client can reassemble from the deltas it received.
    fn text(&self) -> String {
        let mut t = String::new();
        for block in self.all().split("\n\n") {
            for line in block.lines() {
                let Some(data) = line.strip_prefix("data: ") else {
                    continue;
                };
                let Ok(v) = serde_json::from_str::<Value>(data) else {
                    continue;
                };
                if let Some(s) = v
                    .pointer("/choices/0/delta/content")
                    .and_then(Value::as_str)
                {
                    t.push_str(s);
                }
                if let Some(s) = v.pointer("/delta/text").and_then(Value::as_str) {
                    t.push_str(s);
                }
                if let Some(s) = v
                    .pointer("/candidates/0/content/parts/0/text")
                    .and_then(Value::as_str)
                {
                    t.push_str(s);
                }
            }
        }
        t
    }
    fn cut(&self) -> bool {
        self.all().contains("controlled_content_in_response")
    }
}

fn run(provider: impl Into<Format>, dest: &str, writes: &[Vec<u8>]) -> Seen {
    let e = engine();
    let mut scratch = e.new_scratch();
    let mut st = e.new_stream(ctx(provider, dest));
    let mut out = Vec::new();
    for (i, w) in writes.iter().enumerate() {
        out.push(e.stream_chunk(&mut scratch, &mut st, w, false));
        let _ = i;
    }
    out.push(e.stream_chunk(&mut scratch, &mut st, b"", true));
    let mut audit = AuditRecord::default();
    e.finish_stream(&mut st, &mut audit);
    // Every event the client receives is well-formed JSON (or [DONE]).
    let all = String::from_utf8(out.concat()).expect("utf-8");
    for block in all.split("\n\n").filter(|b| !b.trim().is_empty()) {
        for line in block.lines().filter(|l| l.starts_with("data: ")) {
            let d = &line[6..];
            assert!(
                d == "[DONE]" || serde_json::from_str::<Value>(d).is_ok(),
                "bad event data {d:?}"
            );
        }
    }
    Seen { writes: out, audit }
}

/// Cut a byte stream into pieces at every `step` bytes (inside UTF-8, JSON and `data:` lines).
fn recut(writes: &[Vec<u8>], step: usize) -> Vec<Vec<u8>> {
    writes.concat().chunks(step).map(|c| c.to_vec()).collect()
}

#[test]
fn benign_stream_passes_unchanged_with_done_and_usage() {
    let deltas: Vec<String> = [
        "Hello",
        " there, ",
        "how are",
        " you? ",
        "Caf\u{e9} ",
        "\u{1F385} ok",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for step in [1, 3, 7, 1000] {
        let s = run(
            Provider::Openai,
            "commercial",
            &recut(&openai_events(&deltas), step),
        );
        assert_eq!(s.text(), deltas.concat(), "step {step}");
        assert!(s.all().contains("[DONE]") && !s.cut());
        let a = run(
            Provider::Anthropic,
            "commercial",
            &recut(&anthropic_events(&deltas), step),
        );
        assert_eq!(a.text(), deltas.concat());
        assert!(a.all().contains("message_stop"));
        assert_eq!(a.audit.usage.and_then(|u| u.output_tokens), Some(42));
        assert_eq!(a.audit.usage.and_then(|u| u.input_tokens), Some(7));
    }
}

#[test]
fn marking_split_across_chunks_cuts_the_stream_without_leaking() {
    let deltas: Vec<String> = [
        "Here is the summary.\n",
        "SEC",
        "RET//NO",
        "FORN\n",
        "Troop movements: ...",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for step in [1, 5, 1000] {
        for (p, writes) in [
            (Provider::Openai, openai_events(&deltas)),
            (Provider::Anthropic, anthropic_events(&deltas)),
        ] {
            let s = run(p, "commercial", &recut(&writes, step));
            assert!(s.cut(), "{p:?} step {step}: not cut: {}", s.all());
            assert!(
                !s.text().contains("NOFORN") && !s.text().contains("Troop"),
                "{}",
                s.text()
            );
            assert!(!s.all().contains("[DONE]") && !s.all().contains("message_stop"));
            assert_eq!(s.audit.response_decision.as_deref(), Some("block"));
        }
    }
}

#[test]
fn gemini_stream_released_whole_or_cut_with_googles_error() {
    let benign: Vec<String> = ["Hello", " there, ", "how can I help?"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for step in [1, 7, 1000] {
        let s = run(
            Format::Gemini,
            "commercial",
            &recut(&gemini_events(&benign), step),
        );
        assert!(!s.cut(), "{}", s.all());
        assert_eq!(s.text(), "Hello there, how can I help?");
        let u = s.audit.usage.expect("usage");
        assert_eq!((u.input_tokens, u.output_tokens), (Some(7), Some(42)));
    }
    let cut: Vec<String> = [
        "Here is the summary.\n",
        "SEC",
        "RET//NO",
        "FORN\n",
        "Troop movements: ...",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for step in [1, 5, 1000] {
        let s = run(
            Format::Gemini,
            "commercial",
            &recut(&gemini_events(&cut), step),
        );
        assert!(s.cut(), "step {step}: not cut: {}", s.all());
        assert!(!s.text().contains("NOFORN") && !s.text().contains("Troop"));
        assert!(s.text().starts_with("Here is the summary."), "{}", s.text());
        assert!(!s.all().contains("finishReason"));
        let last = s.all();
        let last = last.trim_end().rsplit("data: ").next().unwrap_or("");
        let err: Value = serde_json::from_str(last).expect("an error event ends the stream");
        assert_eq!(err["error"]["status"], "PERMISSION_DENIED");
        assert_eq!(err["error"]["code"], 403);
        assert_eq!(s.audit.response_decision.as_deref(), Some("block"));
    }
}

#[test]
fn redaction_mid_stream_never_shows_the_span() {
    let deltas: Vec<String> = ["My SSN is 148-3", "6-77", "25, please keep it.", " Thanks!"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for step in [1, 4, 1000] {
        let s = run(
            Provider::Openai,
            "commercial",
            &recut(&openai_events(&deltas), step),
        );
        assert!(!s.cut(), "{}", s.all());
        assert_eq!(
            s.text(),
            "My SSN is [REDACTED:SSN], please keep it. Thanks!"
        );
        for w in &s.writes {
            let w = String::from_utf8_lossy(w);
            assert!(!w.contains("7725") && !w.contains("148-36"), "{w}");
        }
        assert_eq!(s.audit.response_decision.as_deref(), Some("redact"));
    }
}

#[test]
fn release_is_prompt_for_benign_text() {
    // The first words are released with the first delta (nothing can start a match there).
    let e = engine();
    let mut scratch = e.new_scratch();
    let mut st = e.new_stream(ctx(Provider::Openai, "commercial"));
    let first = openai_events(&["The weather today is sunny and ".to_string()]);
    let mut out = Vec::new();
    for w in &first[..2] {
        out.extend(e.stream_chunk(&mut scratch, &mut st, w, false));
    }
    let s = String::from_utf8(out).expect("utf-8");
    assert!(s.contains("The weather today is sunny"), "{s}");
}

#[test]
fn approved_destination_may_return_controlled_text() {
    let deltas: Vec<String> = ["ITAR CONT", "ROLLED: fin actuator torque 24 Nm"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let s = run(Provider::Openai, "usgov", &openai_events(&deltas));
    assert!(!s.cut(), "{}", s.all());
    assert_eq!(s.text(), deltas.concat());
    let s = run(Provider::Openai, "commercial", &openai_events(&deltas));
    assert!(s.cut());
}

#[test]
fn garbage_stream_fails_closed() {
    let s = run(
        Provider::Openai,
        "commercial",
        &[b"data: {not json\n\n".to_vec()],
    );
    assert!(s.all().contains("response_uninspectable"));
    let s = run(
        Provider::Openai,
        "commercial",
        &[b"data: \xff\xfe\n\n".to_vec()],
    );
    assert!(s.all().contains("response_uninspectable"));
}

#[test]
fn shared_streaming_corpus() {
    let corpus = include_str!("../testdata/corpus/shared/streaming.jsonl");
    let mut failures = Vec::new();
    for line in corpus.lines().filter(|l| !l.trim().is_empty()) {
        let row: Value = serde_json::from_str(line).expect("corpus row");
        let id = row["id"].as_str().unwrap_or("?");
        let expect = row["expect"].as_str().unwrap_or("?");
        let wire = row["wire"].as_str().unwrap_or("delta");
        let provider = if wire.starts_with("anthropic") {
            Provider::Anthropic
        } else {
            Provider::Openai
        };
        let writes: Vec<Vec<u8>> = if let Some(chunks) = row["chunks"].as_array() {
            let d: Vec<String> = chunks
                .iter()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect();
            openai_events(&d)
        } else {
            row["chunks_b64"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|c| c.as_str())
                        .filter_map(|c| base64::engine::general_purpose::STANDARD.decode(c).ok())
                        .collect()
                })
                .unwrap_or_default()
        };
        let full = row["full_text"].as_str().unwrap_or("");
        let s = run(provider, "commercial", &writes);
        let ok = match expect {
            "block" => s.cut(),
            "allow" => !s.cut() && s.text() == full,
            "redact" => {
                let spans: Vec<&str> = row["spans"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
                    .unwrap_or_default();
                !s.cut()
                    && spans.iter().all(|sp| !s.all().contains(sp))
                    && s.text().contains("[REDACTED:")
            }
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{id} ({expect}): got text {:?}",
                s.text().chars().take(160).collect::<String>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "streaming corpus failures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn stream_text_digest_follows_the_policy() {
    let run = |e: &Engine| {
        let mut s = e.new_scratch();
        let mut st = e.new_stream(ctx(Provider::Openai, "commercial"));
        for chunk in openai_events(&["Hello".into(), " there".into()]) {
            e.stream_chunk(&mut s, &mut st, &chunk, false);
        }
        e.stream_chunk(&mut s, &mut st, b"", true);
        let mut audit = AuditRecord::default();
        e.finish_stream(&mut st, &mut audit);
        audit.response_text_sha256
    };
    // Default policy: the released text's sha256.
    assert_eq!(
        run(engine()),
        Some(itar_filter::audit::sha256_hex(b"Hello there"))
    );
    // text_digests "none": the stream is not hashed at all.
    let mut p: Value =
        serde_json::from_slice(include_bytes!("../../policies/default.json")).unwrap();
    p["audit"]["text_digests"] = json!("none");
    let none = Engine::from_policy_json(&serde_json::to_vec(&p).unwrap()).unwrap();
    assert_eq!(run(&none), None);
}

#[test]
fn one_word_deltas_are_mostly_released_at_once() {
    // Ordinary prose, one word per delta (the shape of most model streams): a word is held only
    // while the text after it could still begin a match. Count how many words the client sees
    // with their own delta rather than a later one.
    let words = [
        "the",
        "quarterly",
        "report",
        "shows",
        "steady",
        "growth",
        "in",
        "services",
        "and",
        "team",
        "will",
        "review",
        "customer",
        "feedback",
        "before",
        "launch",
        "of",
        "new",
        "onboarding",
        "flow",
        "garden",
        "morning",
        "minutes",
        "budget",
        "coffee",
        "weather",
    ];
    let deltas: Vec<String> = (0..300)
        .map(|i| format!("{} ", words[(i * 7 + i / 5) % words.len()]))
        .collect();
    let e = engine();
    let mut scratch = e.new_scratch();
    let mut st = e.new_stream(ctx(Provider::Openai, "commercial"));
    let events = openai_events(&deltas);
    let (mut seen, mut sent, mut prompt) = (String::new(), String::new(), 0);
    for (i, w) in events.iter().enumerate() {
        let out = e.stream_chunk(&mut scratch, &mut st, w, false);
        for line in String::from_utf8(out).expect("utf-8").lines() {
            if let Some(j) = line.strip_prefix("data: ") {
                if let Ok(v) = serde_json::from_str::<Value>(j) {
                    if let Some(c) = v["choices"][0]["delta"]["content"].as_str() {
                        seen.push_str(c);
                    }
                }
            }
        }
        if let Some(d) = i.checked_sub(1).and_then(|k| deltas.get(k)) {
            sent.push_str(d);
            prompt += usize::from(seen.len() >= sent.trim_end().len());
        }
    }
    let share = prompt as f64 / deltas.len() as f64;
    eprintln!(
        "released with their own delta: {prompt} of {}",
        deltas.len()
    );
    // 248 of 300 here; a hold-back budget that ran out mid-stream once made it 165.
    assert!(
        share > 0.7,
        "only {prompt} of {} words released at once",
        deltas.len()
    );
}

#[test]
fn fields_outside_the_streamed_text_are_scanned() {
    let hidden = "SECRET//NOFORN troop movements";
    // A text block that starts with text, a tool_use block's input, an extra field of a delta.
    let anthropic = [
        format!(
            "event: content_block_start\ndata: {}\n\n",
            json!({"type": "content_block_start", "index": 1,
                   "content_block": {"type": "text", "text": hidden}})
        ),
        format!(
            "event: content_block_start\ndata: {}\n\n",
            json!({"type": "content_block_start", "index": 1,
                   "content_block": {"type": "tool_use", "id": "t", "name": "f", "input": {"q": hidden}}})
        ),
        format!(
            "event: content_block_delta\ndata: {}\n\n",
            json!({"type": "content_block_delta", "index": 0,
                   "delta": {"type": "text_delta", "text": "ok", "citation": {"url": format!("data:,{hidden}")}}})
        ),
    ];
    for extra in &anthropic {
        let mut writes = anthropic_events(&["Hello ".to_string()]);
        writes.insert(2, extra.clone().into_bytes());
        let s = run(Provider::Anthropic, "commercial", &writes);
        assert!(s.cut(), "{extra}: {}", s.all());
        assert!(!s.all().contains("troop"), "{}", s.all());
    }
    let openai = json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [{"index": 0, "delta": {"content": "ok", "refusal": hidden}, "finish_reason": null}]});
    let mut writes = openai_events(&["Hello ".to_string()]);
    writes.insert(1, format!("data: {openai}\n\n").into_bytes());
    let s = run(Provider::Openai, "commercial", &writes);
    assert!(s.cut() && !s.all().contains("troop"), "{}", s.all());
    // Nor to a foreign destination.
    let s = run(Provider::Openai, "foreign", &writes);
    assert!(s.cut(), "{}", s.all());
    // The other format's text field inside this format's event is no text delta here: it is
    // part of the skeleton and scanned with it.
    let other = json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "delta": {"type": "text_delta", "text": hidden},
        "choices": [{"index": 0, "delta": {"content": "ok"}, "finish_reason": null}]});
    let mut writes = openai_events(&["Hello ".to_string()]);
    writes.insert(1, format!("data: {other}\n\n").into_bytes());
    let s = run(Provider::Openai, "commercial", &writes);
    assert!(s.cut() && !s.all().contains("troop"), "{}", s.all());
    // Benign skeletons pass untouched (and are scanned once each).
    let s = run(
        Provider::Anthropic,
        "commercial",
        &anthropic_events(&["Hello ".to_string(), "there".to_string()]),
    );
    assert!(!s.cut() && s.text() == "Hello there", "{}", s.all());
}

#[test]
fn a_marking_split_between_a_block_start_and_its_deltas_is_found() {
    let mut writes = anthropic_events(&["FORN troop movements at dawn.".to_string()]);
    writes[1] = format!(
        "event: content_block_start\ndata: {}\n\n",
        json!({"type": "content_block_start", "index": 0,
               "content_block": {"type": "text", "text": "Summary: SECRET//NO"}})
    )
    .into_bytes();
    let s = run(Provider::Anthropic, "commercial", &writes);
    assert!(s.cut(), "{}", s.all());
    assert!(!s.all().contains("SECRET//NO"), "{}", s.all());
}

/// Cut `text` into deltas of `n` characters (never inside a character).
fn by_chars(text: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(n).map(|c| c.iter().collect()).collect()
}

/// Cut `text` into one word (with its following space) per delta.
fn by_words(text: &str) -> Vec<String> {
    text.split_inclusive(' ').map(str::to_string).collect()
}

fn framed(p: Provider, deltas: &[String]) -> Vec<Vec<u8>> {
    match p {
        Provider::Openai => openai_events(deltas),
        Provider::Anthropic => anthropic_events(deltas),
    }
}

/// What the phrases of `testdata/stream/phrases.txt` are streamed in: a lead-in, the phrase,
/// then technical text of the kind such markings sit on.
const LEAD: &str = "Here is the document you asked for:\n\n";
const FOLLOW: &str =
    "\n\nTBX-1 seeker gimbal bracket (DWG 7731-0890 rev D): bore A 0.6250 in. +.0005/-.0000; \
pivot offset 12.70 mm ±0.05 mm; drain bias 28 V, gate -2.6 V, quiescent 420 mA +/- 30 mA.\n";

#[test]
fn no_controlled_phrase_reaches_the_client_whole() {
    let phrases: Vec<&str> = include_str!("../testdata/stream/phrases.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    let (mut checked, mut skipped, mut failures) = (0, Vec::new(), Vec::new());
    for phrase in &phrases {
        let text = format!("{LEAD}{phrase}{FOLLOW}");
        // What the pack decides on the whole text in one delta: the streamed runs must do the
        // same, without ever releasing the phrase whole.
        let whole = run(
            Provider::Openai,
            "commercial",
            &openai_events(std::slice::from_ref(&text)),
        );
        let redacts = !whole.cut() && whole.text().contains("[REDACTED:");
        if !whole.cut() && !redacts {
            skipped.push(*phrase);
            continue;
        }
        checked += 1;
        for p in [Provider::Openai, Provider::Anthropic] {
            for n in [1, 2, 3] {
                let s = run(p, "commercial", &framed(p, &by_chars(&text, n)));
                let got = s.text();
                if got.contains(phrase) || (!redacts && !s.cut()) {
                    failures.push(format!(
                        "{p:?} {n} chars/event, cut {}: {phrase:?} -> client got {:?}",
                        s.cut(),
                        got.chars().take(200).collect::<String>()
                    ));
                }
            }
            let s = run(p, "commercial", &framed(p, &by_words(&text)));
            if s.text().contains(phrase) || (!redacts && !s.cut()) {
                failures.push(format!("{p:?} word by word: {phrase:?}"));
            }
        }
    }
    eprintln!(
        "{checked} phrases streamed; not caught by the pack even whole (a detection matter): {skipped:?}"
    );
    assert!(checked >= 60, "only {checked} phrases are caught whole");
    assert!(
        failures.is_empty(),
        "{} streamed runs released a phrase whole or were not cut:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn unmarked_technical_data_is_cut_before_its_parameters() {
    // A corroborated itar.td.* rule: the article term comes first, the parameters that make it
    // technical data follow. Streamed word by word, the client must see none of them.
    let text = "For the interceptor missile pitch autopilot at Mach 2.5 and a dynamic pressure of \
                800 psf, use a proportional gain Kp = 0.42 and an integral gain Ki = 1.8 per second; \
                the fin actuator bandwidth is 25 Hz ± 2 Hz and the seeker gimbal limit is 32 deg.";
    let params = ["2.5", "800 psf", "0.42", "1.8", "25 Hz", "32 deg"];
    let whole = run(
        Provider::Openai,
        "commercial",
        &openai_events(&[text.to_string()]),
    );
    assert!(whole.cut(), "the pack does not catch it whole");
    for p in [Provider::Openai, Provider::Anthropic] {
        for deltas in [by_words(text), by_chars(text, 1), by_chars(text, 3)] {
            let s = run(p, "commercial", &framed(p, &deltas));
            assert!(s.cut(), "{p:?}: not cut: {}", s.text());
            let got = s.text();
            for param in params {
                assert!(!got.contains(param), "{p:?}: {param} released: {got:?}");
            }
        }
    }
    // An approved destination and a US person receive it whole, without delay past the text.
    let s = run(Provider::Openai, "usgov", &openai_events(&by_words(text)));
    assert!(!s.cut() && s.text() == text, "{}", s.all());
}

/// Benign text streamed one word per delta: how much is held and how long the first words wait.
/// A report, not a check (run natively in release:
/// `cargo test --release -p itar-filter --test streaming -- --ignored --nocapture benign_hold`).
#[test]
#[ignore]
fn benign_hold_report() {
    let mut texts: Vec<String> = Vec::new();
    for line in include_str!("../testdata/corpus/shared/streaming.jsonl").lines() {
        let row: Value = serde_json::from_str(line).expect("row");
        if row["expect"] == "allow" {
            texts.push(row["full_text"].as_str().unwrap_or("").to_string());
        }
    }
    for line in include_str!("../testdata/corpus/shared/prompts.jsonl").lines() {
        let row: Value = serde_json::from_str(line).expect("row");
        if row["expect"] == "allow" {
            texts.push(row["text"].as_str().unwrap_or("").to_string());
        }
    }
    let e = engine();
    let mut scratch = e.new_scratch();
    let (mut held_max, mut held_sum, mut first_wait, mut first_wait_max) = (0, 0usize, 0usize, 0);
    let (mut lag_bytes, mut deltas_total, mut cpu) = (0usize, 0usize, std::time::Duration::ZERO);
    let mut first_bytes_wait = 0usize;
    for text in &texts {
        let deltas = by_words(text);
        let mut st = e.new_stream(ctx(Provider::Openai, "commercial"));
        let (mut seen, mut sent) = (0usize, 0usize);
        let mut first: Option<usize> = None;
        for (i, w) in openai_events(&deltas).iter().enumerate() {
            let t = std::time::Instant::now();
            let out = e.stream_chunk(&mut scratch, &mut st, w, false);
            cpu += t.elapsed();
            for line in String::from_utf8(out).expect("utf-8").lines() {
                if let Some(j) = line.strip_prefix("data: ") {
                    if let Ok(v) = serde_json::from_str::<Value>(j) {
                        if let Some(c) = v["choices"][0]["delta"]["content"].as_str() {
                            seen += c.len();
                        }
                    }
                }
            }
            if let Some(d) = i.checked_sub(1).and_then(|k| deltas.get(k)) {
                sent += d.len();
                lag_bytes += sent - seen;
                deltas_total += 1;
                if first.is_none() && seen > 0 {
                    first = Some(i - 1);
                    first_bytes_wait += sent - d.len();
                }
            }
        }
        e.stream_chunk(&mut scratch, &mut st, b"", true);
        let mut audit = AuditRecord::default();
        e.finish_stream(&mut st, &mut audit);
        let h = audit.stream_held_max.unwrap_or(0);
        held_max = held_max.max(h);
        held_sum += h;
        let f = first.unwrap_or(deltas.len());
        first_wait += f;
        first_wait_max = first_wait_max.max(f);
    }
    let n = texts.len().max(1);
    eprintln!(
        "benign texts: {n}, {} bytes, {deltas_total} word deltas",
        texts.iter().map(String::len).sum::<usize>()
    );
    eprintln!(
        "stream_held_max: mean {:.1} B, max {held_max} B; held per delta (sent - released): mean {:.1} B",
        held_sum as f64 / n as f64,
        lag_bytes as f64 / deltas_total.max(1) as f64
    );
    eprintln!(
        "first text released after: mean {:.2} deltas (max {first_wait_max}), {:.1} B waited on average; \
         added time to first token at 20 ms a delta: mean {:.1} ms; CPU per delta {:.1} us",
        first_wait as f64 / n as f64,
        first_bytes_wait as f64 / n as f64,
        20.0 * first_wait as f64 / n as f64,
        cpu.as_secs_f64() * 1e6 / deltas_total.max(1) as f64
    );
}
